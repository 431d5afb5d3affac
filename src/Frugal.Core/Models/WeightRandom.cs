using System.Runtime.InteropServices;

namespace Frugal.Models;

/// <summary>xoshiro256** over spans: fast, deterministic random bytes for synthesized weights.</summary>
internal struct WeightRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public WeightRandom(ulong seed)
    {
        // SplitMix64 spreads one seed over the four state words (never all zero).
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public ulong Next()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public void Fill(Span<byte> destination)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Next();
        }

        var tail = destination[(words.Length * 8)..];
        if (!tail.IsEmpty)
        {
            var last = Next();
            for (var i = 0; i < tail.Length; i++)
            {
                tail[i] = (byte)(last >> (8 * i));
            }
        }
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
