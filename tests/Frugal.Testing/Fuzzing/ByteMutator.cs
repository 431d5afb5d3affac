namespace Frugal.Testing.Fuzzing;

/// <summary>
/// Deterministic mutations of a seed input, the kinds coverage-guided fuzzers start with: bit flips, interesting
/// integers written over 1, 2, 4 or 8 bytes (both byte orders), runs of bytes inserted, deleted, duplicated or
/// overwritten, dictionary tokens put in, and truncation. Most mutations land in the seed's first
/// <c>hotLength</c> bytes (a model file's header, not its weights). The same <see cref="Random"/> seed gives the
/// same inputs on every machine.
/// </summary>
public sealed class ByteMutator(Random random, IReadOnlyList<byte[]>? dictionary = null)
{
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 3, 7, 8, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 512, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue,
        ulong.MaxValue - 1, 1UL << 40, 1UL << 62,
    ];

    private readonly IReadOnlyList<byte[]> _dictionary = dictionary ?? [];

    /// <summary>A mutant of <paramref name="seed"/> (the seed is not changed): one to four mutations stacked.</summary>
    public byte[] Mutate(byte[] seed, int hotLength)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var data = seed;
        var count = 1 + random.Next(4);
        for (var i = 0; i < count; i++)
        {
            data = MutateOnce(data, Math.Clamp(hotLength, 1, Math.Max(1, data.Length)));
        }

        return ReferenceEquals(data, seed) ? [.. seed] : data;
    }

    private byte[] MutateOnce(byte[] input, int hot)
    {
        if (input.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        var at = Position(input.Length, hot);
        switch (random.Next(_dictionary.Count > 0 ? 9 : 8))
        {
            case 0:
            {
                var copy = (byte[])input.Clone();
                copy[at] ^= (byte)(1 << random.Next(8));
                return copy;
            }

            case 1:
            {
                var copy = (byte[])input.Clone();
                copy[at] = (byte)Interesting[random.Next(Interesting.Length)];
                return copy;
            }

            case 2:
                return WriteInteger(input, at);
            case 3:
            {
                var copy = (byte[])input.Clone();
                var run = Math.Min(1 + random.Next(16), copy.Length - at);
                random.NextBytes(copy.AsSpan(at, run));
                return copy;
            }

            case 4:
            {
                var length = Math.Min(1 + random.Next(32), input.Length - at);
                return [.. input.AsSpan(0, at), .. input.AsSpan(at + length)];
            }

            case 5:
            {
                var from = Position(input.Length, hot);
                var length = Math.Min(1 + random.Next(64), input.Length - from);
                return [.. input.AsSpan(0, at), .. input.AsSpan(from, length), .. input.AsSpan(at)];
            }

            case 6:
            {
                var inserted = new byte[1 + random.Next(16)];
                random.NextBytes(inserted);
                return [.. input.AsSpan(0, at), .. inserted, .. input.AsSpan(at)];
            }

            case 7:
                return input[..at];
            default:
            {
                var token = _dictionary[random.Next(_dictionary.Count)];
                return random.Next(2) == 0
                    ? [.. input.AsSpan(0, at), .. token, .. input.AsSpan(at)]
                    : [.. input.AsSpan(0, at), .. token, .. input.AsSpan(Math.Min(input.Length, at + token.Length))];
            }
        }
    }

    private byte[] WriteInteger(byte[] input, int at)
    {
        var width = 1 << random.Next(4);
        if (at + width > input.Length)
        {
            return input;
        }

        var value = Interesting[random.Next(Interesting.Length)];
        value = random.Next(4) switch
        {
            0 => value + 1,
            1 => value - 1,
            2 => ~value + 1,
            _ => value,
        };
        var copy = (byte[])input.Clone();
        var bigEndian = random.Next(4) == 0;
        for (var i = 0; i < width; i++)
        {
            copy[at + (bigEndian ? width - 1 - i : i)] = (byte)(value >> (8 * i));
        }

        return copy;
    }

    // Nine in ten inside the hot region, else anywhere.
    private int Position(int length, int hot) => random.Next(10) < 9 ? random.Next(Math.Min(hot, length)) : random.Next(length);
}
