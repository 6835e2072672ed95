// The consumer project of tools/package_smoke.sh: a fresh console project that takes Mlp.Pipeline from the local
// feed runs this file. The README's "Load a model and predict" C# example is the part between the markers.
// readme:load-and-predict:begin
using Mlp;
using Mlp.Data;
using Mlp.Serialization;

SavedModel saved = ModelFile.Load("model.safetensors");                // architecture, parameters, metadata
Tensor images = IdxReader.ReadImages("t10k-images-idx3-ubyte.gz");     // (10000, 784), pixels in [0, 1]
InputNormalization norm = saved.Normalization
    ?? throw new InvalidDataException("the model file stores no input normalization");
Tensor x = norm.Apply(images.Rows(0, 8));                              // the training mean and std, from the file
int[] classes = saved.Model.PredictClasses(saved.Parameters, x);       // argmax of the logits, one per row
Console.WriteLine($"{saved.Model.Architecture}: {string.Join(" ", classes)}");
// readme:load-and-predict:end
