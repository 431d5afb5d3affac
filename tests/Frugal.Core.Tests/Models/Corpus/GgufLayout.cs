using System.Buffers.Binary;
using System.Text;

namespace Frugal.Tests.Models.Corpus;

/// <summary>
/// Where each field of a well-formed GGUF file lies (the header's counts, every key's length, type and value, every
/// tensor's name, dimensions, type and offset), so a corpus case can change exactly one named field of a file our
/// writer wrote. Walks the bytes itself: it must not share a bug with the reader it helps to test.
/// </summary>
internal sealed class GgufLayout
{
    public const int VersionAt = 4;
    public const int TensorCountAt = 8;
    public const int MetadataCountAt = 16;

    private static readonly Dictionary<uint, int> FixedSizes = new()
    {
        [0] = 1,
        [1] = 1,
        [2] = 2,
        [3] = 2,
        [4] = 4,
        [5] = 4,
        [6] = 4,
        [7] = 1,
        [10] = 8,
        [11] = 8,
        [12] = 8,
    };

    private GgufLayout(byte[] bytes)
    {
        var p = 24;
        var keys = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(MetadataCountAt));
        for (ulong i = 0; i < keys; i++)
        {
            var key = new KeyField { LengthAt = p };
            var name = String(bytes, ref p);
            key.TypeAt = p;
            var type = U32(bytes, ref p);
            key.ValueAt = p;
            if (type == 9)
            {
                key.ElementTypeAt = p;
                var elementType = U32(bytes, ref p);
                key.CountAt = p;
                var count = U64(bytes, ref p);
                key.ElementsAt = p;
                for (ulong e = 0; e < count; e++)
                {
                    Skip(bytes, elementType, ref p);
                }
            }
            else
            {
                Skip(bytes, type, ref p);
            }

            key.EndAt = p;
            Keys[name] = key;
        }

        var tensors = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(TensorCountAt));
        for (ulong i = 0; i < tensors; i++)
        {
            var tensor = new TensorField { NameLengthAt = p };
            var name = String(bytes, ref p);
            tensor.DimensionCountAt = p;
            var dims = U32(bytes, ref p);
            tensor.DimensionsAt = p;
            p += 8 * (int)dims;
            tensor.TypeAt = p;
            p += 4;
            tensor.OffsetAt = p;
            tensor.Offset = (long)U64(bytes, ref p);
            Tensors[name] = tensor;
        }

        TableEnd = p;
    }

    public Dictionary<string, KeyField> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensors by name, in file order.</summary>
    public Dictionary<string, TensorField> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the tensor table ends (the data section starts at the next multiple of the alignment).</summary>
    public int TableEnd { get; }

    public static GgufLayout Of(byte[] bytes) => new(bytes);

    private static void Skip(byte[] bytes, uint type, ref int p)
    {
        if (type == 8)
        {
            _ = String(bytes, ref p);
            return;
        }

        p += FixedSizes.TryGetValue(type, out var size) ? size : throw new InvalidDataException($"type {type} in a base file");
    }

    private static string String(byte[] bytes, ref int p)
    {
        var length = (int)U64(bytes, ref p);
        var text = Encoding.UTF8.GetString(bytes, p, length);
        p += length;
        return text;
    }

    private static uint U32(byte[] bytes, ref int p)
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p));
        p += 4;
        return value;
    }

    private static ulong U64(byte[] bytes, ref int p)
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(p));
        p += 8;
        return value;
    }

    internal sealed class KeyField
    {
        public int LengthAt { get; init; }

        public int TypeAt { get; set; }

        public int ValueAt { get; set; }

        public int ElementTypeAt { get; set; }

        public int CountAt { get; set; }

        public int ElementsAt { get; set; }

        public int EndAt { get; set; }
    }

    internal sealed class TensorField
    {
        public int NameLengthAt { get; init; }

        public int DimensionCountAt { get; set; }

        public int DimensionsAt { get; set; }

        public int TypeAt { get; set; }

        public int OffsetAt { get; set; }

        public long Offset { get; set; }
    }
}
