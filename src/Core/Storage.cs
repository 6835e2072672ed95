using System.Runtime.CompilerServices;

namespace Mlp;

/// <summary>
/// Where tensors' element arrays come from. Arrays of <see cref="MinRecycledLength"/> floats and more are recycled: when
/// nothing references one any longer (no tensor, no span, no closure), it goes back to a pool instead of to the GC, and
/// the next tensor of the same length takes it.
/// </summary>
/// <remarks>
/// Why: a large array lives on the GC's large-object heap, and the GC hands the memory of a dead one back to the
/// operating system; the next array of that size then page-faults in fresh memory, one 4 KB page at a time (on a
/// sandboxed VM ~10–18 µs a page: a 50000×50 output costs ~45 ms of faults against ~20 ms of arithmetic). Allocators
/// of native libraries (glibc's malloc under PyTorch) keep such memory and reuse it; this does the same for tensors.
/// <para>
/// How an array comes back only when it is truly garbage: each recycled array has a <see cref="Lease"/>, a finalizable
/// object tied to it by a <see cref="ConditionalWeakTable{TKey, TValue}"/> entry (an ephemeron: the lease lives exactly
/// as long as the array, and does not keep it alive). When the GC finds the array unreachable, the lease's finalizer runs
/// and puts the array in the pool. A span, a view or a captured closure keeps the array reachable, so no reader can see
/// it reused. Reuse is invisible to the GC's allocation budget, so each reuse reports the array's size as memory
/// pressure (<see cref="GC.AddMemoryPressure"/>) until it comes back: the GC then collects as often as if it had
/// allocated, which is what finds the dead arrays.
/// </para>
/// <para>
/// A caller that knows an array is garbage can say so (<see cref="Release"/>): the training loop does for what it alone
/// holds (the gradients a built-in optimizer consumed, its own batches, the parameters and optimizer buffers a step
/// replaced), so those arrays come back at once, still in cache, and need no collection at all.
/// </para>
/// <para>
/// The pool holds at most 1/8 of the memory available to the process (between 64 MB and 1 GB), and after each full
/// collection it lets go of arrays that were not taken since the previous two.
/// </para>
/// </remarks>
internal static class Storage
{
    /// <summary>
    /// Arrays this long and longer are recycled: 64 KB, below the 85,000 bytes where the GC's large-object heap starts, so
    /// every array of that heap is covered; smaller ones are cheaper to leave to generation 0. Measured on the lesson's
    /// epoch (row f, batch 64: its 200 KB batches, 157 KB weights and weight gradients are recycled): 235–290 → 170–200 ms.
    /// The pool's stock (the arrays that die between two full collections) is allocated fresh before reuse begins; since a
    /// large miss asks for a collection (<see cref="Reclaim"/>) that stock stays small: the first epoch of <c>mlp train</c>
    /// 1.8 → 1.0 s on that VM, peak resident memory 856 → 598 MB.
    /// </summary>
    internal const int MinRecycledLength = 16 * 1024;

    private static readonly ConditionalWeakTable<float[], Lease> Leases = new();
    private static readonly Dictionary<int, Stack<Lease>> Idle = new();
    private static readonly Lock Gate = new();
    private static readonly long CapBytes =
        Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8, 64L << 20, 1L << 30);
    private static long idleBytes;

    private static int trimmerStarted;

    /// <summary>Test hook: fill every uninitialized array with NaN before handing it out, so a kernel that leaves an
    /// element unwritten shows it. Off by default; correct kernels give the same bits either way.</summary>
    internal static volatile bool PoisonUninitialized;

    /// <summary>Counters for tests and benchmarks: arrays taken from the pool, arrays newly allocated, arrays returned.</summary>
    internal static long Reused, Allocated, Returned, Retied;

    /// <summary>Bytes the pool holds now, waiting to be reused.</summary>
    internal static long IdleBytes { get { lock (Gate) return idleBytes; } }

    /// <summary>A zeroed array of <paramref name="length"/> floats.</summary>
    internal static float[] Zeroed(int length)
    {
        float[] a;
        if (length >= MinRecycledLength)
        {
            a = Take(length, zeroed: true, out bool reused);
            if (reused) Array.Clear(a);
        }
        else if (TakeSmall(length) is { } small)
        {
            a = small;
            Array.Clear(a);
        }
        else a = new float[length];
        return Recorded(a);
    }

    /// <summary>An array of <paramref name="length"/> floats with arbitrary contents: the caller writes every element.</summary>
    internal static float[] Uninitialized(int length)
    {
        float[] a = length >= MinRecycledLength ? Take(length, zeroed: false, out _)
            : TakeSmall(length) ?? GC.AllocateUninitializedArray<float>(length);
        if (PoisonUninitialized) a.AsSpan().Fill(float.NaN);
        return Recorded(a);
    }

    /// <summary>Notes <paramref name="a"/> in the step being recorded on this thread, if any.</summary>
    private static float[] Recorded(float[] a)
    {
        scope?.Add(a);
        return a;
    }

    /// <summary>
    /// The arrays this thread has made since <see cref="BeginStep"/>, or null outside a step. A training step with built-in
    /// layers, loss and optimizer keeps none of its arrays but the ones it returns (the new parameters, optimizer buffers and
    /// running statistics), so at its end (<see cref="EndStep"/>) every other array it made comes back: small ones (the
    /// activations and gradients of a batch, 12.8 KB for 64×50) to this thread's own idle lists, which nothing but the next
    /// step reads, large ones to the pool (<see cref="Release"/>). A batch-64 step then allocates almost no array memory of
    /// its own and generation-0 collections, which the GC paces by bytes allocated, become rare.
    /// </summary>
    [ThreadStatic] private static List<float[]>? scope;
    [ThreadStatic] private static List<float[]>? spareScope;
    [ThreadStatic] private static Dictionary<int, Stack<float[]>>? smallIdle;

    /// <summary>Idle small arrays kept per length and thread (a step uses a few of each length).</summary>
    private const int SmallIdlePerLength = 64;

    /// <summary>Starts recording the arrays this thread makes, for a step that will give back all but what it returns.
    /// Returns false (and records nothing) when a step is already being recorded on this thread.</summary>
    internal static bool BeginStep()
    {
        if (scope is not null) return false;
        scope = spareScope ?? [];
        spareScope = null;
        return true;
    }

    /// <summary>
    /// Ends the step begun by <see cref="BeginStep"/>: every array made since, except those in <paramref name="keep"/>
    /// (compared by reference), comes back for reuse. The caller guarantees that nothing else references them.
    /// </summary>
    internal static void EndStep(IReadOnlyList<float[]> keep)
    {
        var made = scope;
        scope = null;
        if (made is null) return;
        foreach (var a in made)
        {
            bool kept = false;
            for (int i = 0; i < keep.Count && !kept; i++) kept = ReferenceEquals(keep[i], a);
            if (kept) continue;
            if (a.Length < MinRecycledLength) ReturnSmall(a);
            else Release(a);
        }
        made.Clear();
        spareScope = made;
    }

    /// <summary>Whether this thread is recording a step's arrays (for tests).</summary>
    internal static bool RecordingStep => scope is not null;

    /// <summary>Ends the step begun by <see cref="BeginStep"/> without giving anything back (a step that failed).</summary>
    internal static void AbandonStep()
    {
        scope?.Clear();
        spareScope = scope;
        scope = null;
    }

    // Only inside a recorded step: outside one, small arrays are left to the GC as before.
    private static float[]? TakeSmall(int length) =>
        scope is not null && smallIdle is { } idle && idle.TryGetValue(length, out var stack) && stack.TryPop(out var a) ? a : null;

    private static void ReturnSmall(float[] a)
    {
        var idle = smallIdle ??= [];
        if (!idle.TryGetValue(a.Length, out var stack)) idle[a.Length] = stack = new Stack<float[]>();
        if (stack.Count < SmallIdlePerLength) stack.Push(a);
    }

    private static float[] Take(int length, bool zeroed, out bool reused)
    {
        Lease? lease = TakeIdle(length);
        if (lease is null && Reclaim(4L * length)) lease = TakeIdle(length);
        if (lease is null)
        {
            var fresh = zeroed ? new float[length] : GC.AllocateUninitializedArray<float>(length);
            Leases.Add(fresh, new Lease(fresh));
            Interlocked.Increment(ref Allocated);
            StartTrimmer();
            reused = false;
            return fresh;
        }
        // The GC does not count a reused array as an allocation; report it as pressure until it comes back, so the GC collects
        // as often as if it had allocated and finds the dead arrays. An array its last user released (Release) needed no
        // collection to come back, so its reuse reports none.
        if (lease.Released) lease.Released = false;
        else
        {
            lease.Pressure = true;
            GC.AddMemoryPressure(4L * length);
        }
        if (!Leases.TryGetValue(lease.Array, out var tied) || tied != lease) { Leases.AddOrUpdate(lease.Array, lease); Interlocked.Increment(ref Retied); }
        GC.ReRegisterForFinalize(lease);
        Interlocked.Increment(ref Reused);
        reused = true;
        return lease.Array;
    }

    /// <summary>An idle array of this length from the pool, or null.</summary>
    private static Lease? TakeIdle(int length)
    {
        lock (Gate)
        {
            if (!Idle.TryGetValue(length, out var stack) || !stack.TryPop(out var lease)) return null;
            idleBytes -= 4L * length;
            lease.InPool = false;
            return lease;
        }
    }

    /// <summary>
    /// A miss allocates a new array, whose pages the first writer faults in (on a sandboxed VM ~3.5 ms per MB, on bare metal
    /// ~0.3), while arrays of the same length may already be dead and waiting for a full collection to find them: the
    /// GC's budget before it looks at the large-object heap grows with the heap, so with a 150 MB dataset alive, dozens of
    /// 10 MB outputs can be allocated and faulted in before the first dead one is recycled. So after enough missed bytes
    /// since the last full collection, this runs one, waits for the leases' finalizers and lets the caller take again:
    /// "enough" is where the faults the misses cost reach four times what the last such collection cost (both measured in
    /// this process, at least 4 MB). When the last one returned nothing, it waits for misses worth 1/8 of the heap (at least
    /// 16 MB), the pace of the GC's own policy, so a program that keeps its arrays alive is not collected more often than
    /// its size warrants. Returns whether it collected.
    /// </summary>
    private static bool Reclaim(long bytes)
    {
        int fullCollections = GC.CollectionCount(2);
        lock (Gate)
        {
            if (fullCollections != collectionsSeen) (collectionsSeen, missedBytes) = (fullCollections, 0);
            missedBytes += bytes;
            long heapPace = Math.Max(16L << 20, GC.GetGCMemoryInfo().HeapSizeBytes / 8);
            long threshold = reclaimSeconds < 0 || !lastReclaimFound
                ? heapPace
                : (long)Math.Clamp(4 * reclaimSeconds / FaultSecondsPerByte(), 4L << 20, heapPace);
            if (missedBytes < threshold) return false;
            missedBytes = 0;
        }
        long returned = Interlocked.Read(ref Returned), t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        GC.WaitForPendingFinalizers();
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        lock (Gate)
        {
            reclaimSeconds = seconds;
            lastReclaimFound = Interlocked.Read(ref Returned) > returned;
            collectionsSeen = GC.CollectionCount(2);
        }
        return true;
    }

    private static int collectionsSeen;
    private static long missedBytes;
    private static double reclaimSeconds = -1;
    private static bool lastReclaimFound;
    private static double faultSecondsPerByte = -1;

    /// <summary>
    /// What first touching fresh memory costs here, per byte, measured once: 1 MB from the native allocator (a block that
    /// large comes straight from the operating system), one write per 4 KB page. Bare metal takes ~0.1–0.3 µs a page, a
    /// sandboxed VM that reports free pages to its host 10–18 µs. Once only: after a free, the native allocator may keep
    /// the block, and a second try would time pages already touched.
    /// </summary>
    private static unsafe double FaultSecondsPerByte()
    {
        if (faultSecondsPerByte > 0) return faultSecondsPerByte;
        const int Bytes = 1 << 20;
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(Bytes);
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < Bytes; i += 4096) p[i] = 1;
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        System.Runtime.InteropServices.NativeMemory.Free(p);
        return faultSecondsPerByte = Math.Max(seconds, 1e-6) / Bytes;
    }

    /// <summary>
    /// Gives <paramref name="array"/> back now, for a caller that knows nothing references it and nothing will (the trainer:
    /// the weight gradients a built-in optimizer has consumed, the batches its own data source gathered): the next tensor of
    /// that length takes it while it is still in cache, and no full collection is needed to find it. An array the pool does
    /// not track (shorter than <see cref="MinRecycledLength"/>, or not made here) or holds already is left alone.
    /// </summary>
    /// <remarks>
    /// Measured on row f's epoch (Zen 5, 2 cores, three pairs of runs alternating with and without): full collections 5 → 0
    /// per epoch, fresh arrays 24–52 → 0 (with only the gradients and batches released, the new weights still waited for a
    /// full collection, and each time the pool ran dry for ~26 steps first), GC pauses 9.9–11.8 → 8.1–8.5 ms per epoch, the
    /// epoch's median 149–156 → 140–146 ms, the heap ~250 → ~165 MB.
    /// </remarks>
    internal static void Release(float[] array)
    {
        if (array.Length < MinRecycledLength || !Leases.TryGetValue(array, out var lease)) return;
        lock (Gate)
        {
            if (lease.InPool) return;
            lease.Released = true;
        }
        GC.SuppressFinalize(lease); // it is in the pool now, not garbage; Take registers it again when it leaves
        Return(lease);
    }

    private static void Return(Lease lease)
    {
        if (lease.Pressure)
        {
            lease.Pressure = false;
            GC.RemoveMemoryPressure(4L * lease.Array.Length);
        }
        long bytes = 4L * lease.Array.Length;
        lock (Gate)
        {
            if (lease.InPool) return;
            if (idleBytes + bytes > CapBytes) return; // over the cap: the GC takes this one
            if (!Idle.TryGetValue(lease.Array.Length, out var stack)) Idle[lease.Array.Length] = stack = new Stack<Lease>();
            lease.IdleSinceGen2 = GC.CollectionCount(2);
            lease.InPool = true;
            stack.Push(lease);
            idleBytes += bytes;
        }
        Interlocked.Increment(ref Returned);
    }

    /// <summary>After a full collection: let go of arrays idle since before the previous two (the stacks' bottoms).</summary>
    private static void Trim()
    {
        int now = GC.CollectionCount(2);
        lock (Gate)
        {
            foreach (var stack in Idle.Values)
            {
                if (stack.Count == 0) continue;
                var keep = stack.Where(l => now - l.IdleSinceGen2 < 3).Reverse().ToArray();
                foreach (var l in stack) if (now - l.IdleSinceGen2 >= 3) idleBytes -= 4L * l.Array.Length;
                stack.Clear();
                foreach (var l in keep) stack.Push(l);
            }
        }
    }

    private static void StartTrimmer()
    {
        if (Interlocked.Exchange(ref trimmerStarted, 1) == 0) _ = new Gen2Callback();
    }

    /// <summary>Ties an array to the pool: finalized when the array is unreachable, and then returns it.</summary>
    private sealed class Lease(float[] array)
    {
        public readonly float[] Array = array;
        public bool Pressure;
        public bool InPool;   // in an idle stack (under Gate)
        public bool Released; // came back through Release, not through the GC: its next reuse reports no pressure
        public int IdleSinceGen2;

        ~Lease()
        {
            if (Environment.HasShutdownStarted) return;
            Return(this);
        }
    }

    /// <summary>An object whose finalizer runs once per full collection (it re-registers itself; after its first
    /// collections it lives in generation 2).</summary>
    private sealed class Gen2Callback
    {
        ~Gen2Callback()
        {
            if (Environment.HasShutdownStarted) return;
            Trim();
            GC.ReRegisterForFinalize(this);
        }
    }
}
