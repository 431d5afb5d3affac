namespace Frugal.Models;

/// <summary>A validated GGUF file's header: metadata, tensor table and where the tensor data starts.</summary>
public sealed record GgufFile
{
    /// <summary>The file that was read.</summary>
    public required string Path { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public required long FileSizeBytes { get; init; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public required uint Version { get; init; }

    /// <summary>Metadata keys in file order.</summary>
    public required IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries { get; init; }

    /// <summary>Metadata by key.</summary>
    public required IReadOnlyDictionary<string, GgufValue> Metadata { get; init; }

    /// <summary>Tensors in file order.</summary>
    public required IReadOnlyList<GgufTensorInfo> Tensors { get; init; }

    /// <summary>Alignment of tensor data (general.alignment, default 32).</summary>
    public required int Alignment { get; init; }

    /// <summary>Absolute offset of the data section (tensor offsets are relative to it).</summary>
    public required long DataOffset { get; init; }

    /// <summary>Total bytes of tensor data.</summary>
    public long TensorDataBytes => Tensors.Sum(t => t.ByteSize);

    /// <summary>The string value of <paramref name="key"/>, or null when absent or not a string.</summary>
    public string? GetString(string key) => Metadata.TryGetValue(key, out var v) ? v.AsString() : null;

    /// <summary>The integer value of <paramref name="key"/>, or null when absent or not an integer.</summary>
    public long? GetInt64(string key) => Metadata.TryGetValue(key, out var v) ? v.AsInt64() : null;

    /// <summary>The numeric value of <paramref name="key"/>, or null when absent or not a number.</summary>
    public double? GetDouble(string key) => Metadata.TryGetValue(key, out var v) ? v.AsDouble() : null;

    /// <summary>The array value of <paramref name="key"/>, or null when absent or not an array.</summary>
    public GgufArray? GetArray(string key) => Metadata.TryGetValue(key, out var v) ? v.AsArray() : null;
}
