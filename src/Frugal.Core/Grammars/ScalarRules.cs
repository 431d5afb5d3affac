using System.Globalization;
using System.Text.Json;

namespace Frugal.Grammars;

/// <summary>
/// Rules for strings (lengths, <c>format</c>), integers and numbers (bounds) of a schema. Number bounds must be
/// whole numbers and inclusive: then the grammar writes whole numbers in range and decimals whose integer part
/// keeps them in range.
/// </summary>
internal static class ScalarRules
{
    public static string String(GbnfRules rules, JsonElement schema, string path)
    {
        var min = Count(schema, "minLength", path);
        var max = Count(schema, "maxLength", path);
        var space = JsonRules.Use(rules, JsonRules.Space);
        if (schema.TryGetProperty("format", out var format))
        {
            var name = format.ValueKind == JsonValueKind.String ? format.GetString()! : "";
            if (min is not null || max is not null)
            {
                throw SchemaKeywords.Unsupported("format", path, "'format' together with 'minLength' or 'maxLength' is not supported");
            }

            var expression = StringFormatRules.Expression(name, rules)
                ?? throw SchemaKeywords.Unsupported("format", path,
                    $"the string format '{name}' is not supported (supported: {string.Join(", ", StringFormatRules.Names)})");
            return rules.Add($"string-{name}", $"\"\\\"\" {expression} \"\\\"\" {space}");
        }

        if (min is null && max is null)
        {
            return JsonRules.Use(rules, JsonRules.String);
        }

        if (max < min)
        {
            throw SchemaKeywords.Unsupported("maxLength", path, "'maxLength' is below 'minLength': no string fits");
        }

        var repeat = (min ?? 0, max) switch
        {
            (0, null) => "*",
            (var low, null) => $"{{{low},}}",
            (var low, { } high) => $"{{{low},{high}}}",
        };
        var text = string.Create(CultureInfo.InvariantCulture, $"string-{min ?? 0}-{max?.ToString(CultureInfo.InvariantCulture) ?? "n"}");
        return rules.Add(text, $"\"\\\"\" {JsonRules.Use(rules, JsonRules.Char)}{repeat} \"\\\"\" {space}");
    }

    public static string Integer(GbnfRules rules, JsonElement schema, string path)
    {
        var min = Bound(schema, "minimum", path, Math.Ceiling) ?? Bound(schema, "exclusiveMinimum", path, x => Math.Floor(x) + 1);
        var max = Bound(schema, "maximum", path, Math.Floor) ?? Bound(schema, "exclusiveMaximum", path, x => Math.Ceiling(x) - 1);
        if (schema.TryGetProperty("minimum", out _) && schema.TryGetProperty("exclusiveMinimum", out _))
        {
            min = Math.Max(min!.Value, Bound(schema, "exclusiveMinimum", path, x => Math.Floor(x) + 1)!.Value);
        }

        if (schema.TryGetProperty("maximum", out _) && schema.TryGetProperty("exclusiveMaximum", out _))
        {
            max = Math.Min(max!.Value, Bound(schema, "exclusiveMaximum", path, x => Math.Ceiling(x) - 1)!.Value);
        }

        if (min is null && max is null)
        {
            return JsonRules.Use(rules, JsonRules.Integer);
        }

        if (IntegerRangeRule.IsEmpty(min, max))
        {
            throw SchemaKeywords.Unsupported("maximum", path, "the bounds leave no integer");
        }

        return rules.Add("integer-range", $"{IntegerRangeRule.Expression(min, max)} {JsonRules.Use(rules, JsonRules.Space)}");
    }

    public static string Number(GbnfRules rules, JsonElement schema, string path)
    {
        foreach (var exclusive in (string[])["exclusiveMinimum", "exclusiveMaximum"])
        {
            if (schema.TryGetProperty(exclusive, out _))
            {
                throw SchemaKeywords.Unsupported(exclusive, path, $"'{exclusive}' on a number is not supported; use 'minimum'/'maximum' or an integer");
            }
        }

        var min = Bound(schema, "minimum", path, Whole(path, "minimum"));
        var max = Bound(schema, "maximum", path, Whole(path, "maximum"));
        if (min is null && max is null)
        {
            return JsonRules.Use(rules, JsonRules.Number);
        }

        if (IntegerRangeRule.IsEmpty(min, max))
        {
            throw SchemaKeywords.Unsupported("maximum", path, "'maximum' is below 'minimum': no number fits");
        }

        List<string> parts = [IntegerRangeRule.Expression(min, max)];

        // k.f lies in [k, k+1): in range when k >= min and k + 1 <= max.
        var low = Math.Max(min ?? 0, 0);
        var high = max - 1;
        if (!IntegerRangeRule.IsEmpty(low, high))
        {
            parts.Add($"{IntegerRangeRule.Expression(low, high)} {JsonRules.Fraction}");
        }

        // -m.f lies in (-(m+1), -m]: in range when -(m+1) >= min and -m <= max.
        if (min is null || min <= -2)
        {
            var magnitudeLow = max is { } m && m < 0 ? -m : 1;
            var magnitudeHigh = -min - 1;
            if (!IntegerRangeRule.IsEmpty(magnitudeLow, magnitudeHigh))
            {
                parts.Add($"\"-\" {IntegerRangeRule.Expression(magnitudeLow, magnitudeHigh)} {JsonRules.Fraction}");
            }
        }

        return rules.Add("number-range", $"({string.Join(" | ", parts)}) {JsonRules.Use(rules, JsonRules.Space)}");
    }

    /// <summary>A non-negative integer keyword (<c>minLength</c>, <c>maxItems</c>, …), or null when absent.</summary>
    public static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : throw SchemaKeywords.Unsupported(keyword, path, $"'{keyword}' must be a non-negative integer");
    }

    private static long? Bound(JsonElement schema, string keyword, string path, Func<double, double> round)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw SchemaKeywords.Unsupported(keyword, path, $"'{keyword}' must be a number");
        }

        var bound = round(value.GetDouble());
        return Math.Abs(bound) <= IntegerRangeRule.Limit
            ? (long)bound
            : throw SchemaKeywords.Unsupported(keyword, path, $"'{keyword}' lies beyond ±{IntegerRangeRule.Limit}, the largest magnitude the grammar writes");
    }

    private static Func<double, double> Whole(string path, string keyword) => x => x == Math.Floor(x)
        ? x
        : throw SchemaKeywords.Unsupported(keyword, path, $"'{keyword}' on a number must be a whole number");
}
