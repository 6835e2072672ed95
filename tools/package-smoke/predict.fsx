// Run by tools/package_smoke.sh with `dotnet fsi predict.fsx` beside a nuget.config naming the local feed,
// model.safetensors and the t10k images. The README's "From an F# script" example is the part between the markers.
// readme:fsharp-script:begin
#r "nuget: Mlp.FSharp, 0.1.0"             // from the mlp-local feed; its dependencies from NuGet
open Mlp.FSharp

let saved = Mlp.Serialization.ModelFile.Load "model.safetensors"
let norm = saved.Normalization.Value                          // the training mean and std stored in the file
let x = Mlp.Data.IdxReader.ReadImages "t10k-images-idx3-ubyte.gz" |> fun images -> norm.Apply(images.Rows(0, 8))
let classes = x |> Model.predictClasses saved.Model saved.Parameters
printfn "%s: %A" saved.Model.Architecture classes
// readme:fsharp-script:end
