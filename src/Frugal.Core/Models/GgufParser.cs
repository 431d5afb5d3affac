namespace Frugal.Models;

/// <summary>One pass over a GGUF header; see <see cref="GgufReader"/>. Metadata values are in the other part.</summary>
internal sealed partial class GgufParser
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    private const uint Magic = 0x46554747;
    private const int DefaultAlignment = 32;

    /// <summary>ggml's GGML_MAX_NAME is 64 including the terminating NUL.</summary>
    private const int MaxTensorNameBytes = 63;
    private const int MaxDimensions = 4;

    // Smallest possible encodings, used to bound counts by the bytes left in the file.
    private const long MinKeyValueBytes = 8 + 1 + 4 + 1;
    private const long MinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;

    private readonly GgufCursor _cursor;
    private readonly string _path;

    public GgufParser(Stream stream, string path, long length)
    {
        _path = path;
        _cursor = new GgufCursor(stream, path, length);
    }

    public GgufFile Parse()
    {
        if (_cursor.Length < 24)
        {
            if (_cursor.Length >= 4)
            {
                ReadMagic();
            }

            throw _cursor.FailAt(0, $"truncated: the file is {_cursor.Length} bytes, too small for a GGUF header (24 bytes)");
        }

        ReadMagic();
        var version = ReadVersion();
        var tensorCount = ReadCount("tensor count", MinTensorInfoBytes);
        var kvCount = ReadCount("metadata count", MinKeyValueBytes);
        var (entries, metadata) = ReadMetadata(kvCount);
        var alignment = ReadAlignment(metadata);

        if ((long)tensorCount > _cursor.Remaining / MinTensorInfoBytes)
        {
            throw _cursor.Fail($"tensor count {tensorCount} cannot fit in the {_cursor.Remaining} bytes left after the metadata");
        }

        // Capacity stays small: a count is only trusted as entries actually arrive.
        var tensors = new List<GgufTensorInfo>(InitialCapacity(tensorCount));
        var infoOffsets = new List<long>(InitialCapacity(tensorCount));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0L; i < (long)tensorCount; i++)
        {
            infoOffsets.Add(_cursor.Position);
            tensors.Add(ReadTensorInfo(i, names));
        }

        var dataOffset = AlignUp(_cursor.Position, alignment);
        CheckPlacement(tensors, infoOffsets, dataOffset, alignment);

        return new GgufFile
        {
            Path = _path,
            FileSizeBytes = _cursor.Length,
            Version = version,
            MetadataEntries = entries,
            Metadata = metadata,
            Tensors = tensors,
            Alignment = alignment,
            DataOffset = dataOffset,
        };
    }

    private void ReadMagic()
    {
        var magic = _cursor.ReadUInt32("the magic number");
        if (magic != Magic)
        {
            throw _cursor.FailAt(0, $"bad magic 0x{magic:X8}: not a GGUF file");
        }
    }

    private uint ReadVersion()
    {
        var version = _cursor.ReadUInt32("the version");
        return version switch
        {
            2 or 3 => version,
            1 => throw _cursor.FailAt(4, "GGUF version 1 is not supported (only 2 and 3)"),
            0x02000000 or 0x03000000 => throw _cursor.FailAt(4, "big-endian GGUF files are not supported"),
            _ => throw _cursor.FailAt(4, $"unknown GGUF version {version} (only 2 and 3 are supported)"),
        };
    }

    private ulong ReadCount(string what, long minBytesEach)
    {
        var start = _cursor.Position;
        var count = _cursor.ReadUInt64(what);
        if (count > (ulong)(_cursor.Remaining / minBytesEach))
        {
            throw _cursor.FailAt(start, $"{what} {count} is impossible in a file of {_cursor.Length} bytes");
        }

        return count;
    }

    private int ReadAlignment(IReadOnlyDictionary<string, GgufValue> metadata)
    {
        if (!metadata.TryGetValue("general.alignment", out var value))
        {
            return DefaultAlignment;
        }

        if (value.Value is not uint alignment)
        {
            throw _cursor.Fail($"general.alignment must be a UInt32, not {value.Type}");
        }

        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 1 << 20)
        {
            throw _cursor.Fail($"general.alignment {alignment} is not a power of two up to 1 MiB");
        }

        return (int)alignment;
    }

    private GgufTensorInfo ReadTensorInfo(long index, HashSet<string> names)
    {
        var start = _cursor.Position;
        var name = _cursor.ReadString($"the name of tensor {index}", MaxTensorNameBytes);
        if (name.Length == 0)
        {
            throw _cursor.FailAt(start, $"tensor {index} has an empty name");
        }

        if (!names.Add(name))
        {
            throw _cursor.FailAt(start, $"duplicate tensor name '{name}'");
        }

        var dimsAt = _cursor.Position;
        var (dims, elements) = ReadDimensions(name, dimsAt);

        var typeAt = _cursor.Position;
        var type = (GgmlType)_cursor.ReadUInt32($"the type of tensor '{name}'");
        if (!GgmlTypeInfo.IsKnown(type))
        {
            throw _cursor.FailAt(typeAt, $"tensor '{name}' has unknown ggml type {(uint)type}");
        }

        if (dims[0] % GgmlTypeInfo.BlockSize(type) != 0)
        {
            throw _cursor.FailAt(dimsAt, $"tensor '{name}': first dimension {dims[0]} is not a multiple of the {type} block size {GgmlTypeInfo.BlockSize(type)}");
        }

        var byteSize = GgmlTypeInfo.ByteSize(type, elements)
            ?? throw _cursor.FailAt(dimsAt, $"tensor '{name}': its byte size overflows");

        var offsetAt = _cursor.Position;
        var offset = _cursor.ReadUInt64($"the data offset of tensor '{name}'");
        if (offset > long.MaxValue)
        {
            throw _cursor.FailAt(offsetAt, $"tensor '{name}' has an impossible data offset {offset}");
        }

        return new GgufTensorInfo { Name = name, Dimensions = dims, Type = type, Offset = (long)offset, ElementCount = elements, ByteSize = byteSize };
    }

    /// <summary>A tensor's dimensions (1 to <see cref="MaxDimensions"/>, none zero) and their product, refused when it overflows.</summary>
    private (long[] Dimensions, long Elements) ReadDimensions(string name, long dimsAt)
    {
        var dimCount = _cursor.ReadUInt32($"the dimension count of tensor '{name}'");
        if (dimCount is 0 or > MaxDimensions)
        {
            throw _cursor.FailAt(dimsAt, $"tensor '{name}' has {dimCount} dimensions (1 to {MaxDimensions} allowed)");
        }

        var dims = new long[dimCount];
        var elements = 1L;
        for (var d = 0; d < dimCount; d++)
        {
            var at = _cursor.Position;
            var dim = _cursor.ReadUInt64($"dimension {d} of tensor '{name}'");
            if (dim == 0 || dim > long.MaxValue)
            {
                throw _cursor.FailAt(at, $"tensor '{name}' dimension {d} is {(dim == 0 ? "zero" : "negative")}");
            }

            dims[d] = (long)dim;
            if (elements > long.MaxValue / dims[d])
            {
                throw _cursor.FailAt(at, $"tensor '{name}': the product of its dimensions overflows");
            }

            elements *= dims[d];
        }

        return (dims, elements);
    }

    private void CheckPlacement(List<GgufTensorInfo> tensors, List<long> infoOffsets, long dataOffset, int alignment)
    {
        var available = _cursor.Length - dataOffset;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Offset % alignment != 0)
            {
                throw _cursor.FailAt(infoOffsets[i], $"tensor '{t.Name}' data offset {t.Offset} is not aligned to {alignment}");
            }

            if (available < 0 || t.Offset > available || t.ByteSize > available - t.Offset)
            {
                throw _cursor.FailAt(infoOffsets[i], $"tensor '{t.Name}' ({t.ByteSize} bytes at data offset {t.Offset}) extends past the end of the file ({Math.Max(available, 0)} bytes of data)");
            }
        }

        var order = Enumerable.Range(0, tensors.Count).OrderBy(i => tensors[i].Offset).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            var previous = tensors[order[k - 1]];
            var current = tensors[order[k]];
            if (previous.Offset + previous.ByteSize > current.Offset)
            {
                throw _cursor.FailAt(infoOffsets[order[k]], $"tensor '{current.Name}' overlaps tensor '{previous.Name}'");
            }
        }
    }

    private static int InitialCapacity(ulong count) => (int)Math.Min(count, 1024);

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
