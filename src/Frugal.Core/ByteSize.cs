using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Frugal;

/// <summary>
/// A size in bytes written the way operators write it: <c>"512"</c>, <c>"64k"</c>, <c>"64m"</c>,
/// <c>"1.5g"</c>, <c>"2GiB"</c>, <c>"2gb"</c>. Units are binary (1k = 1024 bytes), case does not matter.
/// </summary>
[TypeConverter(typeof(ByteSizeTypeConverter))]
public readonly record struct ByteSize : IComparable<ByteSize>, ISpanParsable<ByteSize>
{
    private const long Kibi = 1024;

    /// <summary>Creates a size of <paramref name="bytes"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public ByteSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
    }

    /// <summary>No bytes.</summary>
    public static ByteSize Zero { get; }

    /// <summary>The size in bytes.</summary>
    public long Bytes { get; }

    public static ByteSize FromKibibytes(long value) => new(checked(value * Kibi));

    public static ByteSize FromMebibytes(long value) => new(checked(value * Kibi * Kibi));

    public static ByteSize FromGibibytes(long value) => new(checked(value * Kibi * Kibi * Kibi));

    /// <summary>Parses a size such as <c>"64m"</c> or <c>"1.5g"</c>.</summary>
    /// <exception cref="FormatException">The text is not a size.</exception>
    public static ByteSize Parse(string s) => Parse(s, provider: null);

    /// <inheritdoc/>
    public static ByteSize Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan(), provider);
    }

    /// <inheritdoc/>
    public static ByteSize Parse(ReadOnlySpan<char> s, IFormatProvider? provider) =>
        TryParse(s, provider, out var size)
            ? size
            : throw new FormatException($"'{s}' is not a size; write it like 512, 64k, 64m, 1.5g or 2GiB.");

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ByteSize result) =>
        TryParse(s.AsSpan(), provider, out result);

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out ByteSize result)
    {
        result = default;
        s = s.Trim();
        var unitStart = s.Length;
        while (unitStart > 0 && char.IsAsciiLetter(s[unitStart - 1]))
        {
            unitStart--;
        }

        if (!TryGetMultiplier(s[unitStart..], out var multiplier))
        {
            return false;
        }

        var number = s[..unitStart].TrimEnd();
        if (number.IsEmpty || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var bytes = value * multiplier;
        if (bytes > long.MaxValue || bytes != decimal.Truncate(bytes))
        {
            return false;
        }

        result = new ByteSize((long)bytes);
        return true;
    }

    /// <summary>The shortest exact form: <c>"64m"</c>, <c>"1536m"</c>, <c>"1000"</c>.</summary>
    public override string ToString()
    {
        ReadOnlySpan<char> units = ['t', 'g', 'm', 'k'];
        for (var i = 0; i < units.Length; i++)
        {
            var unit = 1L << (10 * (units.Length - i));
            if (Bytes >= unit && Bytes % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Bytes / unit}{units[i]}");
            }
        }

        return Bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public static bool operator <(ByteSize left, ByteSize right) => left.Bytes < right.Bytes;

    public static bool operator >(ByteSize left, ByteSize right) => left.Bytes > right.Bytes;

    public static bool operator <=(ByteSize left, ByteSize right) => left.Bytes <= right.Bytes;

    public static bool operator >=(ByteSize left, ByteSize right) => left.Bytes >= right.Bytes;

    private static bool TryGetMultiplier(ReadOnlySpan<char> unit, out long multiplier)
    {
        Span<char> lower = stackalloc char[4];
        multiplier = 0;
        if (unit.Length > lower.Length)
        {
            return false;
        }

        lower = lower[..unit.ToLowerInvariant(lower)];
        multiplier = lower switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => Kibi,
            "m" or "mb" or "mib" => Kibi * Kibi,
            "g" or "gb" or "gib" => Kibi * Kibi * Kibi,
            "t" or "tb" or "tib" => Kibi * Kibi * Kibi * Kibi,
            _ => 0,
        };
        return multiplier != 0;
    }
}
