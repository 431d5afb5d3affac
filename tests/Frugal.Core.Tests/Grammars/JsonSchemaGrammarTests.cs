using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Frugal.Grammars;

namespace Frugal.Tests.Grammars;

public sealed class JsonSchemaGrammarTests
{
    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "pattern", "#")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","multipleOf":3}}}""", "multipleOf", "#/properties/n")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"uniqueItems":true}""", "uniqueItems", "#")]
    [InlineData("""{"type":"string","format":"email"}""", "format", "#")]
    [InlineData("""{"$ref":"https://example.invalid/other.json"}""", "$ref", "#")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "$ref", "#")]
    [InlineData("""{"type":"number","exclusiveMinimum":0}""", "exclusiveMinimum", "#")]
    [InlineData("""{"type":"number","maximum":1.5}""", "maximum", "#")]
    [InlineData("""{"type":"thing"}""", "type", "#")]
    [InlineData("""{"allOf":[{"type":"string"},{"maxLength":3}]}""", "allOf", "#")]
    [InlineData("""{"type":"object","minProperties":1}""", "minProperties", "#")]
    [InlineData("""{"type":"array","prefixItems":[{"type":"string"}]}""", "prefixItems", "#")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "maxItems", "#")]
    [InlineData("""{"type":"integer","minimum":1e20}""", "minimum", "#")]
    [InlineData("""false""", "schema", "#")]
    public void FromSchema_UnsupportedKeyword_RefusedNamingItAndWhere(string schema, string keyword, string path)
    {
        using var document = JsonDocument.Parse(schema);

        var error = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaGrammar.FromSchema(document.RootElement));

        Assert.Equal(keyword, error.Keyword);
        Assert.Equal(path, error.Path);
        Assert.Contains(keyword == "schema" ? "false" : keyword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_RootRuleFirst_NamesInGbnfAlphabet()
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"first name":{"type":"string"},"x_y":{"type":"integer","minimum":1}},"required":["first name"]}""");

        var grammar = JsonSchemaGrammar.FromSchema(document.RootElement);

        Assert.StartsWith("root ::= ", grammar.Text, StringComparison.Ordinal);
        Assert.All(grammar.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches("^[a-zA-Z0-9-]+ ::= ", line));
        Assert.Contains("\"\\\"first name\\\"\"", grammar.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_SameSubschemaTwice_OneRule()
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string","maxLength":3},"b":{"type":"string","maxLength":3}}}""");

        var grammar = JsonSchemaGrammar.FromSchema(document.RootElement);

        Assert.Single(grammar.Text.Split('\n'), line => line.Contains("char{0,3}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(0L, null)]
    [InlineData(17L, 250L)]
    [InlineData(-20L, -3L)]
    [InlineData(-7L, 130L)]
    [InlineData(null, -12L)]
    [InlineData(null, 45L)]
    [InlineData(5L, 5L)]
    [InlineData(100L, 999L)]
    [InlineData(99L, 1000L)]
    public void IntegerRange_EveryIntegerNearby_MatchesExactlyWhenInRange(long? min, long? max)
    {
        // The rule uses only literals, digit classes, repetitions, groups and alternatives: read as a regex.
        var pattern = new Regex("^(" + IntegerRangeRule.Expression(min, max).Replace("\"", "", StringComparison.Ordinal).Replace(" ", "",
            StringComparison.Ordinal) + ")$");

        for (var value = -1100L; value <= 1100; value++)
        {
            var inRange = (min is null || value >= min) && (max is null || value <= max);
            Assert.True(inRange == pattern.IsMatch(value.ToString(CultureInfo.InvariantCulture)), $"{value} in [{min}, {max}]: {pattern}");
        }

        Assert.DoesNotMatch(pattern, "-0");
        Assert.DoesNotMatch(pattern, "007");
    }
}
