namespace Frugal.Models;

/// <summary>Metadata key/value pairs, nested arrays included.</summary>
internal sealed partial class GgufParser
{
    private const int MaxKeyBytes = 65_535;

    /// <summary>Chat templates are a few KB; a 16 MiB string is already far beyond any real one.</summary>
    private const int MaxStringBytes = 16 << 20;

    /// <summary>Vocabularies and merge lists reach a few hundred thousand entries; no real array comes near 4 M.</summary>
    private const int MaxArrayElements = 1 << 22;

    private const int MaxArrayDepth = 8;

    /// <summary>
    /// What all metadata may cost in managed memory (strings as UTF-16, arrays, value objects). Each value is
    /// bounded by the file, but a file is cheap to fill with tiny strings or empty arrays that cost 4–8 times
    /// their bytes once read; a 151,000-token vocabulary with its merges costs about 20 MiB.
    /// </summary>
    internal const long MaxMetadataCost = 128L << 20;

    // Per-object overheads of the managed copies (object header + fields), for the budget.
    private const long ObjectCost = 32;

    private long _metadataCost;

    private (List<KeyValuePair<string, GgufValue>> Entries, Dictionary<string, GgufValue> ByKey) ReadMetadata(ulong count)
    {
        var entries = new List<KeyValuePair<string, GgufValue>>(InitialCapacity(count));
        var byKey = new Dictionary<string, GgufValue>(InitialCapacity(count), StringComparer.Ordinal);
        for (var i = 0UL; i < count; i++)
        {
            var start = _cursor.Position;
            var key = _cursor.ReadString($"metadata key {i}", MaxKeyBytes);
            if (key.Length == 0)
            {
                throw _cursor.FailAt(start, $"metadata key {i} is empty");
            }

            if (byKey.ContainsKey(key))
            {
                throw _cursor.FailAt(start, $"duplicate metadata key '{key}'");
            }

            var type = ReadValueType($"'{key}'");
            Charge(ObjectCost + (2L * key.Length), start, key);
            var value = ReadValue(type, key, 0);
            byKey.Add(key, value);
            entries.Add(new(key, value));
        }

        return (entries, byKey);
    }

    private GgufValueType ReadValueType(string subject)
    {
        var at = _cursor.Position;
        var raw = _cursor.ReadUInt32($"the type of {subject}");
        if (raw > (uint)GgufValueType.Float64)
        {
            throw _cursor.FailAt(at, $"unknown metadata value type {raw} for {subject}");
        }

        return (GgufValueType)raw;
    }

    private GgufValue ReadValue(GgufValueType type, string key, int depth)
    {
        var what = $"the value of '{key}'";
        return type switch
        {
            GgufValueType.UInt8 => GgufValue.FromUInt8(_cursor.ReadUInt8(what)),
            GgufValueType.Int8 => GgufValue.FromInt8((sbyte)_cursor.ReadUInt8(what)),
            GgufValueType.UInt16 => GgufValue.FromUInt16(_cursor.ReadUInt16(what)),
            GgufValueType.Int16 => GgufValue.FromInt16((short)_cursor.ReadUInt16(what)),
            GgufValueType.UInt32 => GgufValue.FromUInt32(_cursor.ReadUInt32(what)),
            GgufValueType.Int32 => GgufValue.FromInt32((int)_cursor.ReadUInt32(what)),
            GgufValueType.Float32 => GgufValue.FromFloat32(_cursor.ReadFloat32(what)),
            GgufValueType.Bool => GgufValue.FromBool(ReadBool(what)),
            GgufValueType.String => GgufValue.FromString(Charged(_cursor.ReadString(what, MaxStringBytes), key)),
            GgufValueType.UInt64 => GgufValue.FromUInt64(_cursor.ReadUInt64(what)),
            GgufValueType.Int64 => GgufValue.FromInt64((long)_cursor.ReadUInt64(what)),
            GgufValueType.Float64 => GgufValue.FromFloat64(_cursor.ReadFloat64(what)),
            _ => GgufValue.FromArray(ReadArray(key, depth)),
        };
    }

    private bool ReadBool(string what)
    {
        var at = _cursor.Position;
        return _cursor.ReadUInt8(what) switch
        {
            0 => false,
            1 => true,
            var b => throw _cursor.FailAt(at, $"{what} is a bool with byte value {b} (only 0 and 1 allowed)"),
        };
    }

    private GgufArray ReadArray(string key, int depth)
    {
        var start = _cursor.Position;
        if (depth >= MaxArrayDepth)
        {
            throw _cursor.FailAt(start, $"'{key}' nests arrays deeper than {MaxArrayDepth} levels");
        }

        var elementType = ReadValueType($"'{key}' array elements");
        return ReadElements(key, depth, elementType, ReadArrayLength(key, elementType));
    }

    /// <summary>An array's length, refused past the limit or past what the rest of the file could hold, and charged.</summary>
    private int ReadArrayLength(string key, GgufValueType elementType)
    {
        var countAt = _cursor.Position;
        var count = _cursor.ReadUInt64($"the length of the '{key}' array");
        var minBytes = MinEncodedBytes(elementType);
        if (count > MaxArrayElements)
        {
            throw _cursor.FailAt(countAt, $"'{key}' array claims {count} elements, more than the limit of {MaxArrayElements}");
        }

        if ((long)count > _cursor.Remaining / minBytes)
        {
            throw _cursor.FailAt(countAt, $"'{key}' array claims {count} elements but only {_cursor.Remaining} bytes remain in the file");
        }

        var n = (int)count;
        Charge(ObjectCost + (n * ElementCost(elementType)), countAt, key);
        return n;
    }

    private GgufArray ReadElements(string key, int depth, GgufValueType elementType, int n)
    {
        var what = $"the elements of '{key}'";
        switch (elementType)
        {
            case GgufValueType.UInt8: return Bulk(new byte[n]);
            case GgufValueType.Int8: return Bulk(new sbyte[n]);
            case GgufValueType.UInt16: return Bulk(new ushort[n]);
            case GgufValueType.Int16: return Bulk(new short[n]);
            case GgufValueType.UInt32: return Bulk(new uint[n]);
            case GgufValueType.Int32: return Bulk(new int[n]);
            case GgufValueType.Float32: return Bulk(new float[n]);
            case GgufValueType.UInt64: return Bulk(new ulong[n]);
            case GgufValueType.Int64: return Bulk(new long[n]);
            case GgufValueType.Float64: return Bulk(new double[n]);
            case GgufValueType.Bool:
                var bools = new bool[n];
                for (var i = 0; i < n; i++)
                {
                    bools[i] = ReadBool(what);
                }

                return new GgufArray(elementType, bools);
            case GgufValueType.String:
                var strings = new string[n];
                for (var i = 0; i < n; i++)
                {
                    strings[i] = Charged(_cursor.ReadString($"element {i} of '{key}'", MaxStringBytes), key);
                }

                return new GgufArray(elementType, strings);
            default:
                var arrays = new GgufArray[n];
                for (var i = 0; i < n; i++)
                {
                    arrays[i] = ReadArray(key, depth + 1);
                }

                return new GgufArray(elementType, arrays);
        }

        GgufArray Bulk<T>(T[] items)
            where T : unmanaged
        {
            _cursor.ReadInto(items, what);
            return new GgufArray(elementType, items);
        }
    }

    private string Charged(string text, string key)
    {
        Charge(ObjectCost + (2L * text.Length), _cursor.Position, key);
        return text;
    }

    private void Charge(long cost, long at, string key)
    {
        _metadataCost += cost;
        if (_metadataCost > MaxMetadataCost)
        {
            throw _cursor.FailAt(at, $"the metadata needs more than {MaxMetadataCost >> 20} MiB of memory to read (at '{key}'); no real model's does");
        }
    }

    // Bytes an element takes in the managed array: references for strings and nested arrays (whose own cost is charged when read).
    private static long ElementCost(GgufValueType type) => type switch
    {
        GgufValueType.String or GgufValueType.Array => 8 + ObjectCost,
        _ => MinEncodedBytes(type),
    };

    private static long MinEncodedBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.String or GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 12,
    };
}
