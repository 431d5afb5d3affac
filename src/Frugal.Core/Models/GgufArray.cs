namespace Frugal.Models;

/// <summary>
/// A GGUF metadata array: its element type and the items as a typed .NET array (string[] for strings,
/// float[] for Float32, <see cref="GgufArray"/>[] for nested arrays, and so on).
/// </summary>
public sealed class GgufArray
{
    private readonly Array _items;

    public GgufArray(GgufValueType elementType, Array items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var expected = ClrType(elementType);
        if (items.GetType().GetElementType() != expected)
        {
            throw new ArgumentException($"A {elementType} array needs {expected.Name}[] items, not {items.GetType().Name}.", nameof(items));
        }

        ElementType = elementType;
        _items = items;
    }

    /// <summary>The type of every element.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>How many elements.</summary>
    public int Count => _items.Length;

    /// <summary>The items as a read-only list of <typeparamref name="T"/>, or null when they are of another type.</summary>
    public IReadOnlyList<T>? As<T>() => _items as T[];

    /// <summary>The items, untyped.</summary>
    public Array Items => _items;

    /// <summary>The .NET element type used for a GGUF element type.</summary>
    public static Type ClrType(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => typeof(byte),
        GgufValueType.Int8 => typeof(sbyte),
        GgufValueType.UInt16 => typeof(ushort),
        GgufValueType.Int16 => typeof(short),
        GgufValueType.UInt32 => typeof(uint),
        GgufValueType.Int32 => typeof(int),
        GgufValueType.Float32 => typeof(float),
        GgufValueType.Bool => typeof(bool),
        GgufValueType.String => typeof(string),
        GgufValueType.Array => typeof(GgufArray),
        GgufValueType.UInt64 => typeof(ulong),
        GgufValueType.Int64 => typeof(long),
        GgufValueType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown GGUF value type."),
    };

    /// <inheritdoc/>
    public override string ToString() => $"[{ElementType} x {Count}]";
}
