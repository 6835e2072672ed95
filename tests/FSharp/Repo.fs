module Mlp.FSharp.Tests.Repo

open System
open System.IO

let private ancestors () =
    Seq.unfold (fun (d: DirectoryInfo) -> if isNull d then None else Some(d.FullName, d.Parent)) (DirectoryInfo AppContext.BaseDirectory)

/// The repository root: the nearest ancestor of the test binaries holding Mlp.sln.
let root =
    ancestors () |> Seq.tryFind (fun d -> File.Exists(Path.Combine(d, "Mlp.sln")))
    |> Option.defaultWith (fun () -> failwithf "No Mlp.sln above %s" AppContext.BaseDirectory)

/// The Fashion-MNIST test split embedded in the repository.
let embeddedFashion = Path.Combine(root, "data", "fashion-mnist")
