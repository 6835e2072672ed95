using System.Diagnostics;
using BenchmarkDotNet.Running;
using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>
/// BenchmarkDotNet entry point (<c>dotnet run -c Release --project bench/Mlp.Benchmarks -- --filter '*'</c>), plus
/// <c>--quick</c>: a few seconds of Stopwatch timings of the GEMM shapes, for iterating on kernels.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--quick") { Quick(args.Length > 1 ? Enum.Parse<SimdPath>(args[1]) : SimdPath.Auto); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Quick(SimdPath path)
    {
        foreach (var s in GemmShapes.All)
        {
            var (a, b, c) = s.Allocate();
            var times = new List<double>();
            for (int r = 0; r < 9; r++)
            {
                var sw = Stopwatch.StartNew();
                Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, b, c, [], path, Environment.ProcessorCount);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{s,-34} {path,-9} min {times[0],8:F3} ms  median {times[4],8:F3} ms  {s.Flops / times[0] / 1e6,6:F1} GFLOP/s (best)");
        }
    }
}
