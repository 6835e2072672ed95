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
        if (args.Length > 0 && args[0] == "--quick")
        {
            Quick(args.Length > 1 ? Enum.Parse<SimdPath>(args[1]) : SimdPath.Auto, args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Quick(SimdPath path, int threads)
    {
        foreach (var s in GemmShapes.All)
        {
            var (a, b, c) = s.Allocate();
            var times = new List<double>();
            var cpu = new List<double>();
            int reps = s.Flops > 1e9 ? 5 : 200;
            var self = Process.GetCurrentProcess();
            for (int r = 0; r < reps; r++)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, b, c, [], path, threads);
                times.Add(sw.Elapsed.TotalMilliseconds);
                self.Refresh();
                cpu.Add((self.TotalProcessorTime - cpu0).TotalMilliseconds);
            }
            times.Sort();
            cpu.Sort();
            // CPU time says how fast the kernel runs when it has the cores; wall time includes waiting for them on a shared machine.
            Console.WriteLine($"{s,-34} {path,-9} wall min {times[0],8:F3} median {times[reps / 2],8:F3} ms  {s.Flops / times[0] / 1e6,6:F1} GFLOP/s   cpu median {cpu[reps / 2],8:F3} ms  {s.Flops / cpu[reps / 2] / 1e6,6:F1} GFLOP/s per core");
        }
    }
}
