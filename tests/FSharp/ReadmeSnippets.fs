/// The README's examples are copies of compiled test code; these tests fail when the two drift apart.
module Mlp.FSharp.Tests.ReadmeSnippets

open System.IO
open Xunit

/// The lines between `// readme:NAME:begin` and `// readme:NAME:end` in a source file, dedented.
let private region (name: string) (path: string) =
    let lines = File.ReadAllLines path
    let b = lines |> Array.findIndex (fun l -> l.Trim() = sprintf "// readme:%s:begin" name)
    let e = lines |> Array.findIndex (fun l -> l.Trim() = sprintf "// readme:%s:end" name)
    let body = lines.[b + 1 .. e - 1]
    let indent = body |> Array.filter (fun l -> l.Trim() <> "") |> Array.map (fun l -> l.Length - l.TrimStart().Length) |> Array.min
    body |> Array.map (fun l -> if l.Length >= indent then l.Substring indent else l.TrimStart()) |> String.concat "\n"

/// The fenced code block right after the README heading.
let private readmeBlock (heading: string) =
    let text = File.ReadAllText(Path.Combine(Repo.root, "README.md")).Replace("\r\n", "\n")
    let h = text.IndexOf("## " + heading + "\n")
    Assert.True(h >= 0, sprintf "README.md has no section '## %s'" heading)
    let start = text.IndexOf("```", h)
    let bodyStart = text.IndexOf('\n', start) + 1
    text.Substring(bodyStart, text.IndexOf("\n```", bodyStart) - bodyStart)

[<Fact>]
let ``The README's F# example is the compiled ReadmeExample code`` () =
    Assert.Equal(region "using-mlp-from-fsharp" (Path.Combine(Repo.root, "tests", "FSharp", "ReadmeExample.fs")), readmeBlock "Using Mlp from F#")

[<Fact>]
let ``The README's law kit example is the compiled LeakyRelu test code`` () =
    Assert.Equal(region "testing-your-own-layer" (Path.Combine(Repo.root, "tests", "Properties", "LawKitUserLayer.cs")), readmeBlock "Testing your own layer")

[<Fact>]
let ``The README's F# example runs and trains`` () =
    let loss, (dx, dw, db), accuracy = ReadmeExample.run Repo.embeddedFashion
    Assert.InRange(loss, 1.0f, 4.0f)                                   // about ln 10 at init
    Assert.Equal<int[]>([| 64; 784 |], Mlp.FSharp.Tensor.shape dx)
    Assert.Equal<int[]>([| 784; 10 |], Mlp.FSharp.Tensor.shape dw)
    Assert.Equal(0.0f, Mlp.FSharp.Tensor.sum db, 5)                    // Σ(softmax − onehot) over classes is 0
    Assert.True(accuracy > 0.7, sprintf "accuracy %g" accuracy)
