namespace Frugal.Models;

/// <summary>Block layout of each ggml type: how many elements a block holds and how many bytes it takes.</summary>
public static class GgmlTypeInfo
{
    // (block size in elements, bytes per block), from ggml's type traits.
    private static readonly Dictionary<GgmlType, (int BlockSize, int TypeSize)> Layouts = new()
    {
        [GgmlType.F32] = (1, 4),
        [GgmlType.F16] = (1, 2),
        [GgmlType.Q4_0] = (32, 18),
        [GgmlType.Q4_1] = (32, 20),
        [GgmlType.Q5_0] = (32, 22),
        [GgmlType.Q5_1] = (32, 24),
        [GgmlType.Q8_0] = (32, 34),
        [GgmlType.Q8_1] = (32, 36),
        [GgmlType.Q2_K] = (256, 84),
        [GgmlType.Q3_K] = (256, 110),
        [GgmlType.Q4_K] = (256, 144),
        [GgmlType.Q5_K] = (256, 176),
        [GgmlType.Q6_K] = (256, 210),
        [GgmlType.Q8_K] = (256, 292),
        [GgmlType.IQ2_XXS] = (256, 66),
        [GgmlType.IQ2_XS] = (256, 74),
        [GgmlType.IQ3_XXS] = (256, 98),
        [GgmlType.IQ1_S] = (256, 50),
        [GgmlType.IQ4_NL] = (32, 18),
        [GgmlType.IQ3_S] = (256, 110),
        [GgmlType.IQ2_S] = (256, 82),
        [GgmlType.IQ4_XS] = (256, 136),
        [GgmlType.I8] = (1, 1),
        [GgmlType.I16] = (1, 2),
        [GgmlType.I32] = (1, 4),
        [GgmlType.I64] = (1, 8),
        [GgmlType.F64] = (1, 8),
        [GgmlType.IQ1_M] = (256, 56),
        [GgmlType.BF16] = (1, 2),
        [GgmlType.TQ1_0] = (256, 54),
        [GgmlType.TQ2_0] = (256, 66),
        [GgmlType.MXFP4] = (32, 17),
    };

    /// <summary>True when <paramref name="type"/> is a type ggml currently knows.</summary>
    public static bool IsKnown(GgmlType type) => Layouts.ContainsKey(type);

    /// <summary>Elements per block (1 for plain float and integer types).</summary>
    public static int BlockSize(GgmlType type) => Layout(type).BlockSize;

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(GgmlType type) => Layout(type).TypeSize;

    /// <summary>
    /// Bytes taken by <paramref name="elements"/> elements of a row-major tensor whose first dimension
    /// is a whole number of blocks, or null when the count is not a whole number of blocks or overflows.
    /// </summary>
    public static long? ByteSize(GgmlType type, long elements)
    {
        var (blockSize, typeSize) = Layout(type);
        if (elements < 0 || elements % blockSize != 0)
        {
            return null;
        }

        var blocks = elements / blockSize;
        return blocks > long.MaxValue / typeSize ? null : blocks * typeSize;
    }

    private static (int BlockSize, int TypeSize) Layout(GgmlType type) =>
        Layouts.TryGetValue(type, out var layout)
            ? layout
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
}
