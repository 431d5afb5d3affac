namespace Frugal.Models;

/// <summary>One entry of a GGUF tensor table, validated: known type, sane dimensions, data inside the file.</summary>
public sealed record GgufTensorInfo
{
    /// <summary>The tensor's name, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Dimensions, innermost first (ggml's ne[0], ne[1], ...).</summary>
    public required IReadOnlyList<long> Dimensions { get; init; }

    /// <summary>The data type.</summary>
    public required GgmlType Type { get; init; }

    /// <summary>Offset of the data from the start of the data section.</summary>
    public required long Offset { get; init; }

    /// <summary>The product of the dimensions.</summary>
    public required long ElementCount { get; init; }

    /// <summary>Bytes of data.</summary>
    public required long ByteSize { get; init; }
}
