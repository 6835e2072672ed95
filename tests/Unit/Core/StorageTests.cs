using System.Runtime.CompilerServices;

namespace Mlp.Tests.Core;

/// <summary>
/// Large tensors' arrays are recycled only once nothing references them, come back zeroed where a zeroed array was asked
/// for, and every op that takes an uninitialized one writes all of its elements.
/// </summary>
public class StorageTests
{
    // Lengths no other test allocates, so a parallel test cannot take the recycled array first.
    private const int LengthA = Storage.MinRecycledLength + 17;
    private const int LengthB = Storage.MinRecycledLength + 29;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference DropFilledTensor(int length)
    {
        var t = Tensor.Full([length], 3.5f);
        return new WeakReference(t.Data, trackResurrection: true); // a long weak reference follows the array into the pool
    }

    private static void CollectTwice()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void A_dead_large_array_is_reused_and_handed_out_zeroed()
    {
        // The pool returns an array once its lease's finalizer has run; try a few times in case the runtime defers it.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var dead = DropFilledTensor(LengthA);
            CollectTwice();
            var next = Tensor.Zeros(LengthA);
            if (!ReferenceEquals(dead.Target, next.Data)) continue;
            Assert.All(next.Data, v => Assert.Equal(0f, v)); // the 3.5s are gone
            return;
        }
        Assert.Fail("a dead array of a recycled length was never reused");
    }

    [Fact]
    public void A_released_array_is_the_next_one_of_its_length_once_and_comes_back_zeroed()
    {
        // Release hands an array straight back (the trainer's consumed gradients and batches): the next take of that length
        // gets it without a collection, zeroed where zeros were asked for; a second release of the same array is ignored, so
        // two later takes never share it; arrays the pool does not track are left alone.
        const int length = Storage.MinRecycledLength + 53; // a length no other test uses
        var a = Tensor.Full([length], 2.5f).Data;
        Storage.Release(a);
        Storage.Release(a);
        var first = Tensor.Zeros(length).Data;
        var second = Tensor.Zeros(length).Data;
        Assert.Same(a, first);
        Assert.NotSame(first, second);
        Assert.All(first, v => Assert.Equal(0f, v));
        Storage.Release(new float[length]);                   // not made by the pool
        Storage.Release(new float[16]);                       // too short to be recycled
        Assert.NotSame(a, Tensor.Zeros(length).Data);        // `first` is still held here: the pool must not hand it out
        GC.KeepAlive(first);
    }

    [Fact]
    public void A_large_miss_collects_and_takes_the_dead_array_instead_of_a_fresh_one()
    {
        // 64 MB: a miss this large runs a collection and waits for the leases (it is over the threshold while the heap is
        // under 512 MB), so the take itself finds the dead array, with no collection asked for here.
        const int length = (16 << 20) + 41;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var dead = DropFilledTensor(length);
            var next = Tensor.Zeros(length);
            if (!ReferenceEquals(dead.Target, next.Data)) continue;
            Assert.True(next.AsSpan().IndexOfAnyExcept(0f) < 0, "the reused array still holds the dead tensor's values");
            return;
        }
        Assert.Fail("a miss of 64 MB allocated a fresh array while one of that length was dead");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Tensor FilledTensor(int length, float value) => Tensor.Full([length], value);

    [Fact]
    public void An_array_only_a_span_still_reads_is_never_reused()
    {
        // The tensor object itself is garbage after AsSpan; the span alone must keep its elements from being reused.
        ReadOnlySpan<float> span = FilledTensor(LengthB, 2f).AsSpan();
        CollectTwice();
        var next = Tensor.Zeros(LengthB);
        var other = Tensor.Full([LengthB], 7f);
        Assert.All(next.Data, v => Assert.Equal(0f, v));
        Assert.Equal(2f, span[0]);
        Assert.Equal(2f, span[LengthB - 1]);
        Assert.True(span.IndexOfAnyExcept(2f) < 0, "the span's elements changed: its array was reused while still read");
        GC.KeepAlive(other);
    }

    [Fact]
    public void Ops_that_take_uninitialized_arrays_write_every_element()
    {
        // Shapes whose outputs are recycled (≥ 64 KB): x·w, xᵀ·dy, dy·wᵀ, the fused linear-relu, the linear backward, the copies
        // (transpose, row ranges, gathered rows), element-wise maps and same-shape binary ops.
        var rng = new Rng(5);
        Tensor x = rng.Normal(6000, 60), w = rng.Normal(60, 50), b = rng.Normal(50), dy = rng.Normal(6000, 50);
        Tensor xs = rng.Normal(100, 600), ws = rng.Normal(600, 500), bs = rng.Normal(500), dys = rng.Normal(100, 500);
        Tensor[] Run() =>
        [
            Ops.MatMul(x, w), Ops.MatMul(xs, dys, true, false), Ops.MatMul(dy, w, false, true),
            Ops.LinearRelu(x, w, b, -0.5f, keepPreActivation: true).Output, Ops.LinearRelu(x, w, b, -0.5f, true).PreActivation!,
            Linear.Forward(x, w, b).Output, Linear.Forward(x, w, b).Backward(dy).Dx, Linear.Forward(xs, ws, bs).Backward(dys).Dw,
            x.Transpose(), x.Rows(100, 5000), x.SelectRows([.. Enumerable.Range(0, 6000).Select(i => (i * 7) % 6000)]),
            x * 2f, x.Exp(), x + x, x * x, x.Pow(2f), -x,
        ];
        Tensor[] clean = Run();
        Storage.PoisonUninitialized = true;
        try
        {
            Tensor[] poisoned = Run();
            for (int i = 0; i < clean.Length; i++)
            {
                Assert.True(clean[i].Length >= Storage.MinRecycledLength, $"output {i} is too small to be recycled");
                Assert.Equal(clean[i].Data, poisoned[i].Data); // bit-identical: no NaN left unwritten
            }
        }
        finally
        {
            Storage.PoisonUninitialized = false;
        }
    }
}
