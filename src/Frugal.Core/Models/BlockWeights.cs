using System.Buffers.Binary;

namespace Frugal.Models;

/// <summary>
/// Random weights in ggml's block formats: random quants under finite scales chosen so the values have a mean of
/// about zero and the requested standard deviation. Layouts follow ggml's block definitions (little-endian).
/// </summary>
internal static class BlockWeights
{
    // Standard deviations of quants uniform over 4, 5, 6 and 8 bits.
    private const double Sd4 = 4.6098, Sd5 = 9.2331, Sd6 = 18.4730, Sd8 = 73.9;
    // Sub-block scale and min of the K formats (6 bits each): both 32, so dmin carries the mean.
    private const int SubScale = 32;
    // Q6_K's int8 scale of each 16-element group.
    private const sbyte Q6Scale = 16;

    public static GgufTensorFill Create(GgmlType type, double deviation, ulong seed) => type switch
    {
        GgmlType.Q8_0 => Blocks(seed, 34, block =>
        {
            Half16(block, deviation / Sd8);
            WithoutMinus128(block[2..]);
        }),
        GgmlType.Q4_0 => Blocks(seed, 18, block =>
        {
            Half16(block, deviation / Sd4);
            Odd(block[2..]);
        }),
        GgmlType.Q5_0 => Blocks(seed, 22, block =>
        {
            Half16(block, deviation / Sd5);
            Odd(block[6..]);
        }),
        GgmlType.Q5_1 => Blocks(seed, 24, block =>
        {
            Half16(block, deviation / Sd5);
            Half16(block[2..], -15.5 * deviation / Sd5);
        }),
        GgmlType.Q4_K => Blocks(seed, 144, block => KHeader(block, deviation / (SubScale * Sd4), 7.5)),
        GgmlType.Q5_K => Blocks(seed, 176, block => KHeader(block, deviation / (SubScale * Sd5), 15.5)),
        GgmlType.Q6_K => Blocks(seed, 210, block =>
        {
            block.Slice(192, 16).Fill((byte)Q6Scale);
            Half16(block[208..], deviation / (Q6Scale * Sd6));
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No random-weight encoder for this type."),
    };

    /// <summary>
    /// Quants of -127..127, as llama.cpp's Q8_0 quantizer writes them (it rounds to ±127): a -128 byte becomes -127.
    /// Frugal's Q8_0 kernel takes a faster sign order for matrices without one, which real files always are.
    /// </summary>
    private static void WithoutMinus128(Span<byte> quants)
    {
        quants.Replace((byte)0x80, (byte)0x81);
    }

    /// <summary>Random bytes block by block, then each block's scales written over its first or last bytes.</summary>
    private static GgufTensorFill Blocks(ulong seed, int blockBytes, BlockHeader header)
    {
        var random = new WeightRandom(seed);
        return (destination, _) =>
        {
            random.Fill(destination);
            for (var at = 0; at + blockBytes <= destination.Length; at += blockBytes)
            {
                header(destination.Slice(at, blockBytes));
            }
        };
    }

    /// <summary>
    /// A Q4_K / Q5_K super-block header: d, dmin (F16) and the twelve bytes that pack eight 6-bit sub-block
    /// scales and eight 6-bit mins. Values are d·scale·q − dmin·min, so dmin = d·<paramref name="meanQuant"/> centres them.
    /// </summary>
    private static void KHeader(Span<byte> block, double d, double meanQuant)
    {
        Half16(block, d);
        Half16(block[2..], d * meanQuant);
        var scales = block.Slice(4, 12);
        for (var j = 0; j < 8; j++)
        {
            if (j < 4)
            {
                scales[j] = SubScale & 63;
                scales[j + 4] = SubScale & 63;
            }
            else
            {
                scales[j + 4] = (byte)((SubScale & 0xF) | ((SubScale & 0xF) << 4));
                scales[j - 4] |= (byte)((SubScale >> 4) << 6);
                scales[j] |= (byte)((SubScale >> 4) << 6);
            }
        }
    }

    /// <summary>
    /// Odd low bits in every nibble: Q4_0 and Q5_0 subtract a fixed offset and have no min, so uniform quants
    /// would all lean half a step negative (enough to make a small model repeat one token); odd ones are symmetric.
    /// </summary>
    private static void Odd(Span<byte> quants)
    {
        for (var i = 0; i < quants.Length; i++)
        {
            quants[i] |= 0x11;
        }
    }

    private static void Half16(Span<byte> destination, double value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, BitConverter.HalfToUInt16Bits((Half)value));

    private delegate void BlockHeader(Span<byte> block);
}
