using Microsoft.ML;

namespace Mlp.MLNet.Tests;

/// <summary>
/// The test assembly's entry point, used by the save/load test to predict in a fresh process:
/// <c>dotnet exec Mlp.MLNet.Tests.dll predict MODEL.zip ROWS.csv OUT.txt</c> loads the model with LoadMlpModel and writes one line per row.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 4 || args[0] != "predict")
        {
            Console.Error.WriteLine("usage: Mlp.MLNet.Tests predict MODEL.zip ROWS.csv OUT.txt");
            return 2;
        }
        var ml = new MLContext(seed: 0);
        var (model, _) = ml.LoadMlpModel(args[1]);
        var scored = model.Transform(FashionCsv.Loader(ml).Load(args[2]));
        File.WriteAllLines(args[3], FashionCsv.Predictions(scored));
        return 0;
    }
}
