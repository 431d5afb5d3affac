using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.Intrinsics;
using Frugal.Models;

namespace Frugal.Bench;

/// <summary>
/// The decode speed memory allows on one core: single-core read bandwidth over the memory-mapped model file
/// (the pages decoding reads), divided by the bytes one decoded token reads (every weight matrix, one row of the
/// token embedding). A kernel that is perfect on this machine stops here.
/// </summary>
/// <param name="ReadBytesPerSecond">The best of a few passes reading the mapped tensor data on one thread.</param>
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

    /// <summary>Reads the tensor data of <paramref name="modelPath"/> through a memory map, on this thread.</summary>
    public static BandwidthCeiling Measure(string modelPath)
    {
        var file = GgufReader.Read(modelPath);
        var embedding = file.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight");
        var perToken = file.TensorDataBytes - (embedding is null ? 0 : embedding.ByteSize - (embedding.ByteSize / embedding.Dimensions[^1]));
        var length = file.FileSizeBytes - file.DataOffset;
        using var map = MemoryMappedFile.CreateFromFile(modelPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        var best = 0.0;
        var bestCpu = 0.0;
        for (var pass = 0; pass < Passes; pass++)
        {
            // The CPU interval lies inside the wall one, so it can never come out longer.
            var started = Stopwatch.GetTimestamp();
            var cpuStarted = ThreadCpuClock.Seconds();
            Sum(view, file.DataOffset, length);
            var cpuSeconds = ThreadCpuClock.Seconds() - cpuStarted;
            best = Math.Max(best, length / Stopwatch.GetElapsedTime(started).TotalSeconds);
            bestCpu = Math.Max(bestCpu, length / cpuSeconds);
        }

        return new BandwidthCeiling(best, perToken) { ReadBytesPerCpuSecond = bestCpu };
    }

    /// <summary>Fraction of the ceiling that <paramref name="decodeTokensPerSecond"/> reaches.</summary>
    public double FractionOf(double decodeTokensPerSecond) => decodeTokensPerSecond / TokensPerSecond;

    /// <summary>Fraction of the CPU-time ceiling that a decode of <paramref name="decodeTokensPerCpuSecond"/> (on one thread) reaches.</summary>
    public double FractionOfCpu(double decodeTokensPerCpuSecond) => decodeTokensPerCpuSecond / CpuTokensPerSecond;

    private static unsafe ulong Sum(MemoryMappedViewAccessor view, long offset, long length)
    {
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            var data = start + view.PointerOffset + offset;
            var words = length / Vector256<ulong>.Count / sizeof(ulong);
            var a = Vector256<ulong>.Zero;
            var b = Vector256<ulong>.Zero;
            var vectors = (Vector256<ulong>*)data;
            long i = 0;
            for (; i + 1 < words; i += 2)
            {
                a += Vector256.Load((ulong*)(vectors + i));
                b += Vector256.Load((ulong*)(vectors + i + 1));
            }

            return Vector256.Sum(a + b);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
