using System.Globalization;

namespace Frugal.Grammars;

/// <summary>
/// GBNF for the integers between two bounds, digit by digit (no leading zeros, no <c>-0</c>): [17, 250] becomes
/// <c>"1" [7-9] | [2-9] [0-9] | "1" [0-9]{2} | "2" ([0-4] [0-9] | "50")</c>. Integers have at most
/// <see cref="MaxDigits"/> digits, so bounds must lie within ±(10^16 − 1).
/// </summary>
internal static class IntegerRangeRule
{
    /// <summary>The most digits of an integer the grammar writes.</summary>
    public const int MaxDigits = 16;

    /// <summary>The largest magnitude a bound may have.</summary>
    public const long Limit = 9_999_999_999_999_999;

    /// <summary>A GBNF expression (in parentheses) for the integers in [<paramref name="min"/>, <paramref name="max"/>]; null: unbounded.</summary>
    public static string Expression(long? min, long? max)
    {
        var parts = new List<string>();
        if (min is null || min < 0)
        {
            // Negative numbers: a minus and a magnitude from max(1, -max) up to -min.
            var from = max is { } m && m < 0 ? -m : 1;
            parts.Add($"\"-\" {NonNegative(from, min is { } n ? -n : null)}");
        }

        if (max is null || max >= 0)
        {
            parts.Add(NonNegative(min is { } n && n > 0 ? n : 0, max));
        }

        return parts.Count == 1 ? parts[0] : $"({string.Join(" | ", parts)})";
    }

    /// <summary>True when [<paramref name="min"/>, <paramref name="max"/>] holds an integer.</summary>
    public static bool IsEmpty(long? min, long? max) => min is { } a && max is { } b && a > b;

    // The integers in [from, to] (to null: up to MaxDigits digits), 0 <= from.
    private static string NonNegative(long from, long? to)
    {
        var parts = new List<string>();
        var fromDigits = Digits(from);
        var toDigits = to is { } t ? Digits(t) : MaxDigits;
        for (var length = fromDigits; length <= toDigits; length++)
        {
            var low = length == fromDigits ? from : Pow10(length - 1);
            var high = length == toDigits && to is { } top ? top : Pow10(length) - 1;
            if (to is null && length > fromDigits)
            {
                // Every longer number: one rule for all remaining lengths.
                parts.Add(length == MaxDigits ? $"[1-9] [0-9]{{{MaxDigits - 1}}}" : $"[1-9] [0-9]{{{length - 1},{MaxDigits - 1}}}");
                break;
            }

            parts.Add(SameLength(Text(low), Text(high)));
        }

        return parts.Count == 1 ? parts[0] : $"({string.Join(" | ", parts)})";
    }

    // The digit strings from low to high, both of the same length.
    private static string SameLength(string low, string high)
    {
        if (low.Length == 0)
        {
            return "";
        }

        if (low == high)
        {
            return $"\"{low}\"";
        }

        if (low[0] == high[0])
        {
            return Join($"\"{low[0]}\"", SameLength(low[1..], high[1..]));
        }

        var rest = low.Length - 1;
        var lowFull = low[1..].All(c => c == '0');
        var highFull = high[1..].All(c => c == '9');
        var parts = new List<string>();
        if (!lowFull)
        {
            parts.Add(Join($"\"{low[0]}\"", SameLength(low[1..], new string('9', rest))));
        }

        var first = lowFull ? low[0] : (char)(low[0] + 1);
        var last = highFull ? high[0] : (char)(high[0] - 1);
        if (first <= last)
        {
            parts.Add(Join(first == last ? $"\"{first}\"" : $"[{first}-{last}]", rest switch { 0 => "", 1 => "[0-9]", _ => $"[0-9]{{{rest}}}" }));
        }

        if (!highFull)
        {
            parts.Add(Join($"\"{high[0]}\"", SameLength(new string('0', rest), high[1..])));
        }

        return parts.Count == 1 ? parts[0] : $"({string.Join(" | ", parts)})";
    }

    private static string Join(string head, string tail) => tail.Length == 0 ? head : $"{head} {tail}";

    private static int Digits(long value) => Text(value).Length;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long Pow10(int exponent)
    {
        var value = 1L;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }
}
