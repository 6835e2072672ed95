using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

// The lesson's rows in libtorch (through TorchSharp-cpu 0.107.0, libtorch 2.10 + MKL), shaped and seeded like
// bench/compare.py's PyTorch rows and `mlp bench`: random N(0, 1) inputs shaped like Fashion-MNIST.
//   dotnet bench/TorchSharpCompare/bin/Release/net10.0/TorchSharpCompare.dll [--rows a,b,c,c2,f,gemm] [--repeat 7] [--threads 2] [--seed 42]
// Prints one JSON object: each row's wall times in ms. Run it with OMP_WAIT_POLICY=passive (compare.py does).
const int Train = 50000, Valid = 10000, Features = 784, Hidden = 50, Classes = 10;

string rowsArg = "a,b,c,c2,f,gemm";
int repeat = 7, threads = 2, seed = 42;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--rows": rowsArg = args[i + 1]; break;
        case "--repeat": repeat = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        case "--seed": seed = int.Parse(args[i + 1]); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

torch.set_num_threads(threads);
torch.manual_seed(seed);
var xTrain = torch.randn(Train, Features);
var xValid = torch.randn(Valid, Features);
var labels = torch.randint(0, Classes, [Train], dtype: ScalarType.Int64);
var yTrain = labels.to_type(ScalarType.Float32);
var w1 = torch.randn(Features, Hidden) * MathF.Sqrt(2f / Features);
var b1 = torch.zeros(Hidden);
var w2 = torch.randn(Hidden, 1) / MathF.Sqrt(Hidden);
var b2 = torch.zeros(1);

void Forward(Tensor x)
{
    using var scope = torch.NewDisposeScope();
    using var _ = torch.no_grad();
    var o = nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;
}

void ForwardBackward(bool inputGradient)
{
    using var scope = torch.NewDisposeScope();
    var x = xTrain.detach().requires_grad_(inputGradient);
    Tensor[] ps = [w1.detach().requires_grad_(true), b1.detach().requires_grad_(true), w2.detach().requires_grad_(true), b2.detach().requires_grad_(true)];
    var o = nn.functional.relu(x.matmul(ps[0]) + ps[1]).matmul(ps[2]) + ps[3];
    var loss = nn.functional.mse_loss(o.squeeze(-1), yTrain);
    var wrt = inputGradient ? [x, .. ps] : ps;
    torch.autograd.grad([loss], wrt);
}

void Epoch()
{
    torch.manual_seed(seed);
    using var scope = torch.NewDisposeScope();
    var model = nn.Sequential(nn.Linear(Features, Hidden), nn.ReLU(), nn.Linear(Hidden, Classes));
    var opt = torch.optim.SGD(model.parameters(), 0.1);
    var perm = torch.randperm(Train);
    for (long start = 0; start < Train; start += 64)
    {
        using var step = torch.NewDisposeScope();
        var idx = perm.slice(0, start, Math.Min(Train, start + 64), 1);
        var loss = nn.functional.cross_entropy(model.call(xTrain.index_select(0, idx)), labels.index_select(0, idx));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
}

void Gemm()
{
    using var scope = torch.NewDisposeScope();
    var c = xTrain.matmul(w1);
}

var fns = new Dictionary<string, Action>
{
    ["a"] = () => Forward(xValid),
    ["b"] = () => Forward(xTrain),
    ["c"] = () => ForwardBackward(true),
    ["c2"] = () => ForwardBackward(false),
    ["f"] = Epoch,
    ["gemm"] = Gemm,
};

var rows = new List<object>();
foreach (string key in rowsArg.Split(',', StringSplitOptions.RemoveEmptyEntries))
{
    if (!fns.TryGetValue(key, out var fn)) { Console.Error.WriteLine($"unknown row {key}"); return 2; }
    fn(); // warm-up
    var times = new double[repeat];
    for (int r = 0; r < repeat; r++)
    {
        long t0 = Stopwatch.GetTimestamp();
        fn();
        times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
    var sorted = times.Order().ToArray();
    rows.Add(new { key, times_ms = times, median_ms = sorted[repeat / 2], min_ms = sorted[0] });
}
Console.WriteLine(JsonSerializer.Serialize(new { torchsharp = typeof(torch).Assembly.GetName().Version?.ToString(), threads = torch.get_num_threads(), rows }));
return 0;
