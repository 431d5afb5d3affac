using System.Globalization;

namespace Frugal.Models;

/// <summary>
/// One GGUF metadata value: its type tag and the .NET value (byte, sbyte, ushort, short, uint, int,
/// float, bool, string, ulong, long, double, or <see cref="GgufArray"/>).
/// </summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>The type tag written in the file.</summary>
    public GgufValueType Type { get; }

    /// <summary>The value, boxed; its .NET type follows <see cref="Type"/>.</summary>
    public object Value { get; }

    /// <summary>A UInt8 value.</summary>
    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, value);
    /// <summary>A Int8 value.</summary>
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, value);
    /// <summary>A UInt16 value.</summary>
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, value);
    /// <summary>A Int16 value.</summary>
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, value);
    /// <summary>A UInt32 value.</summary>
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, value);
    /// <summary>A Int32 value.</summary>
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, value);
    /// <summary>A Float32 value.</summary>
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, value);
    /// <summary>A Bool value.</summary>
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, value);
    /// <summary>A UInt64 value.</summary>
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, value);
    /// <summary>A Int64 value.</summary>
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, value);
    /// <summary>A Float64 value.</summary>
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, value);

    /// <summary>A String value.</summary>
    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, value);
    }

    /// <summary>A Array value.</summary>
    public static GgufValue FromArray(GgufArray value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.Array, value);
    }

    /// <summary>The value as a signed 64-bit integer when it is an integer type that fits, else null.</summary>
    public long? AsInt64() => ToInt64(Value);

    /// <summary>An integer of any GGUF width (a value or an array's item) as a signed 64-bit integer when it fits, else null.</summary>
    public static long? ToInt64(object? item) => item switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    /// <summary>The value as a double when it is a number, else null.</summary>
    public double? AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        _ => AsInt64(),
    };

    /// <summary>The value when it is a string, else null.</summary>
    public string? AsString() => Value as string;

    /// <summary>The value when it is an array, else null.</summary>
    public GgufArray? AsArray() => Value as GgufArray;

    /// <inheritdoc/>
    public override string ToString() => Value switch
    {
        string s => s,
        GgufArray a => a.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };
}
