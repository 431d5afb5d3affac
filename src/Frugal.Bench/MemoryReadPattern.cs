using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Frugal.Bench;

/// <summary>
/// One way for a thread to read a block of memory as fast as it can: <see cref="Streams"/> equal parts of the block
/// read side by side (each part a sequential stream the core's prefetchers follow), 64 bytes per stream per step into
/// its own accumulators, with an optional software prefetch <see cref="PrefetchBytes"/> ahead in every stream. One
/// sequential stream is what a simple loop does; several streams keep more cache-line misses in flight, which is how a
/// decoding kernel reading many weight rows at once gets more out of one core (bench/RESULTS.md, "Quantization formats").
/// </summary>
/// <param name="Streams">Parts read side by side (1 or more).</param>
/// <param name="PrefetchBytes">How far ahead each stream prefetches, in bytes; 0 for none.</param>
internal sealed record MemoryReadPattern(int Streams, int PrefetchBytes)
{
    private const int Step = 64;

    /// <summary>The patterns the ceiling measures in one run; it keeps the fastest.</summary>
    public static IReadOnlyList<MemoryReadPattern> All { get; } =
    [
        new(1, 0), new(4, 0), new(8, 0), new(8, 1024), new(16, 0),
    ];

    /// <summary>A short name for reports, e.g. <c>streams8+prefetch1024</c>.</summary>
    public string Name => PrefetchBytes > 0 ? $"streams{Streams}+prefetch{PrefetchBytes}" : $"streams{Streams}";

    /// <summary>
    /// Reads every byte of <paramref name="length"/> bytes at <paramref name="data"/> and returns the sum, wrapping, of
    /// the little-endian 64-bit words they form (the last, short word padded with zeros). The sum is the same for every
    /// pattern; it exists so that the reads cannot be skipped.
    /// </summary>
    public unsafe ulong Sum(byte* data, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(Streams, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(PrefetchBytes);
        var part = length / Streams / Step * Step;
        var total = part == 0 ? 0UL : Streams == 1 ? SumOne(data, part) : SumStreams(data, part);

        return total + SumTail(data + (part * Streams), length - (part * Streams));
    }

    // One stream in two register accumulators: the loop the ceiling used alone until several streams were measured.
    private unsafe ulong SumOne(byte* data, long part)
    {
        Vector256<ulong> a = default, b = default;
        for (long i = 0; i < part; i += Step)
        {
            Prefetch(data + i);
            a += Vector256.Load((ulong*)(data + i));
            b += Vector256.Load((ulong*)(data + i + 32));
        }

        return Vector256.Sum(a + b);
    }

    // Stream s reads [s * part, (s + 1) * part), all streams advancing together, each into its own accumulator.
    private unsafe ulong SumStreams(byte* data, long part)
    {
        var accumulators = stackalloc Vector256<ulong>[Streams];
        for (var s = 0; s < Streams; s++)
        {
            accumulators[s] = Vector256<ulong>.Zero;
        }

        for (long i = 0; i < part; i += Step)
        {
            var at = data + i;
            for (var s = 0; s < Streams; s++, at += part)
            {
                Prefetch(at);
                accumulators[s] += Vector256.Load((ulong*)at) + Vector256.Load((ulong*)(at + 32));
            }
        }

        var sum = Vector256<ulong>.Zero;
        for (var s = 0; s < Streams; s++)
        {
            sum += accumulators[s];
        }

        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void Prefetch(byte* at)
    {
        if (PrefetchBytes > 0 && Sse.IsSupported)
        {
            Sse.Prefetch0(at + PrefetchBytes);
        }
    }

    private static unsafe ulong SumTail(byte* data, long length)
    {
        var sum = 0UL;
        long i = 0;
        for (; i + sizeof(ulong) <= length; i += sizeof(ulong))
        {
            sum += Unsafe.ReadUnaligned<ulong>(data + i);
        }

        var last = 0UL;
        for (var shift = 0; i < length; i++, shift += 8)
        {
            last |= (ulong)data[i] << shift;
        }

        return sum + last;
    }
}
