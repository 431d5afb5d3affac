using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using Frugal.Models;

namespace Frugal.Bench;

/// <summary>
/// The decode speed memory allows on one core: single-core read bandwidth over the memory decoding reads (the
/// memory-mapped model file, and the anonymous copy of what llama.cpp repacked: <see cref="CeilingReads"/>), divided by
/// the bytes one decoded token reads (every weight matrix, one row of the token embedding). A kernel that is perfect on
/// this machine stops here.
/// </summary>
/// <param name="ReadBytesPerSecond">The best of a few passes reading that memory on one thread.</param>
/// <param name="BytesPerToken">Weight bytes one decoded token reads.</param>
public sealed record BandwidthCeiling(double ReadBytesPerSecond, long BytesPerToken)
{
    private const int Passes = 3;

    /// <summary>Tokens per second at that bandwidth.</summary>
    public double TokensPerSecond => ReadBytesPerSecond / BytesPerToken;

    /// <summary>
    /// The best pass's bytes per second of the reading thread's CPU time (<see cref="ThreadCpuClock"/>): the bandwidth
    /// while the core ran the read, not counting time it waited for the core on a busy machine. NaN where unsupported.
    /// </summary>
    public double ReadBytesPerCpuSecond { get; init; } = double.NaN;

    /// <summary>Tokens per CPU second at <see cref="ReadBytesPerCpuSecond"/>.</summary>
    public double CpuTokensPerSecond => ReadBytesPerCpuSecond / BytesPerToken;

    /// <summary>
    /// The best pass's bytes per CPU second of each <see cref="MemoryReadPattern"/>, by name; the ceiling is the fastest.
    /// Empty where the CPU clock is unsupported.
    /// </summary>
    public IReadOnlyDictionary<string, double> PatternReadBytesPerCpuSecond { get; init; } = new Dictionary<string, double>();

    /// <summary>What a pass read: the parts of the mapped file and the anonymous bytes.</summary>
    public CeilingReads Reads { get; init; } = CeilingReads.None;

    /// <summary>
    /// Bytes of the file the reading mapping mapped in 2 MiB pages (<see cref="PageCache.HugeBytesMappedAt"/>): a read
    /// from 4 KiB pages ran ≈0.89x as fast, so a round's fraction is read beside it. 0 where not known. (The anonymous
    /// part is in the pages llama.cpp's repacked copy is in: <see cref="RepackedCopy"/>.)
    /// </summary>
    public long HugeBytes { get; init; }

    /// <summary>The read pattern that was fastest per CPU second (or per wall second where the CPU clock is unsupported).</summary>
    public string FastestPattern { get; init; } = "";

    /// <summary>
    /// Reads what a decoded token of <paramref name="modelPath"/> reads (<see cref="CeilingReads.Of"/>: loaded with
    /// llama.cpp's repacking or not, <paramref name="repacked"/>) — the file's parts through a memory map, the repacked
    /// bytes from a <see cref="RepackedCopy"/>, in 2 MiB pages when the engine's copy is (<paramref name="repackedHugePages"/>) — on this thread, a few passes of each read pattern in turn (a simple loop
    /// reads slower than the core can: see <see cref="MemoryReadPattern"/>), each pass timed as one, and keeps the fastest.
    /// </summary>
    public static unsafe BandwidthCeiling Measure(string modelPath, bool repacked = false, bool repackedHugePages = false)
    {
        var file = GgufReader.Read(modelPath);
        var embedding = file.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight");
        var perToken = file.TensorDataBytes - (embedding is null ? 0 : embedding.ByteSize - (embedding.ByteSize / embedding.Dimensions[^1]));
        var reads = CeilingReads.Of(file, repacked);
        var length = reads.TotalBytes;
        using var map = MemoryMappedFile.CreateFromFile(modelPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        using var copy = reads.AnonymousBytes > 0 ? RepackedCopy.Allocate(reads.AnonymousBytes, repackedHugePages) : null;
        var patterns = MemoryReadPattern.All;
        var wall = new double[patterns.Count];
        var cpu = new double[patterns.Count];
        long huge;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            var mapped = start + view.PointerOffset;
            for (var pass = 0; pass < Passes; pass++)
            {
                for (var p = 0; p < patterns.Count; p++)
                {
                    // The CPU interval lies inside the wall one, so it can never come out longer.
                    var started = Stopwatch.GetTimestamp();
                    var cpuStarted = ThreadCpuClock.Seconds();
                    GC.KeepAlive(Read(patterns[p], mapped, reads.MappedRanges, copy));
                    var cpuSeconds = ThreadCpuClock.Seconds() - cpuStarted;
                    wall[p] = Math.Max(wall[p], length / Stopwatch.GetElapsedTime(started).TotalSeconds);
                    cpu[p] = Math.Max(cpu[p], length / cpuSeconds);
                }
            }

            // After the timed passes: reading /proc/self/smaps takes milliseconds.
            huge = PageCache.HugeBytesMappedAt((nint)start);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        var cpuSupported = ThreadCpuClock.IsSupported;
        var fastest = Enumerable.Range(0, patterns.Count).MaxBy(p => cpuSupported ? cpu[p] : wall[p]);
        return new BandwidthCeiling(wall.Max(), perToken)
        {
            ReadBytesPerCpuSecond = cpuSupported ? cpu.Max() : double.NaN,
            PatternReadBytesPerCpuSecond = cpuSupported ? patterns.Select((pattern, p) => (pattern.Name, cpu[p])).ToDictionary() : new Dictionary<string, double>(),
            FastestPattern = patterns[fastest].Name,
            HugeBytes = huge,
            Reads = reads,
        };
    }

    // One pass: every range of the mapped file (at its offset from the mapping's start), then the anonymous copy.
    private static unsafe ulong Read(MemoryReadPattern pattern, byte* mapped, IReadOnlyList<(long Offset, long Length)> ranges, RepackedCopy? copy)
    {
        var sum = 0UL;
        foreach (var (offset, length) in ranges)
        {
            sum += pattern.Sum(mapped + offset, length);
        }

        return copy is null ? sum : sum + pattern.Sum(copy.Data, copy.Length);
    }

    /// <summary>Fraction of the ceiling that <paramref name="decodeTokensPerSecond"/> reaches.</summary>
    public double FractionOf(double decodeTokensPerSecond) => decodeTokensPerSecond / TokensPerSecond;

    /// <summary>Fraction of the CPU-time ceiling that a decode of <paramref name="decodeTokensPerCpuSecond"/> (on one thread) reaches.</summary>
    public double FractionOfCpu(double decodeTokensPerCpuSecond) => decodeTokensPerCpuSecond / CpuTokensPerSecond;
}
