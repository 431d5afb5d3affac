using System.Text.Json;

namespace Frugal.Grammars;

/// <summary>
/// Which JSON-schema keywords the converter honours, which it may ignore (annotations, which do not change what
/// validates), and which it refuses because the grammar could not keep to them.
/// </summary>
internal static class SchemaKeywords
{
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal)
    {
        "pattern", "patternProperties", "propertyNames", "minProperties", "maxProperties", "multipleOf", "not",
        "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies", "prefixItems", "additionalItems",
        "contains", "minContains", "maxContains", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
        "$recursiveRef", "contentSchema",
    };

    /// <summary>Throws for the first keyword of <paramref name="schema"/> the grammar cannot keep to.</summary>
    public static void CheckSupported(JsonElement schema, string path)
    {
        foreach (var property in schema.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (Refused.Contains(name))
            {
                throw Unsupported(name, path, $"'{name}' is not supported in a schema for constrained output");
            }

            if (name == "uniqueItems" && value.ValueKind == JsonValueKind.True)
            {
                throw Unsupported(name, path, "'uniqueItems: true' is not supported in a schema for constrained output");
            }

            if (name == "allOf" && (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 1))
            {
                throw Unsupported(name, path, "'allOf' is supported only with a single schema");
            }

            if (name is "exclusiveMinimum" or "exclusiveMaximum" && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                throw Unsupported(name, path, $"the boolean form of '{name}' (draft 4) is not supported; give the bound as a number");
            }
        }
    }

    /// <summary>The error for <paramref name="keyword"/> at <paramref name="path"/>.</summary>
    public static JsonSchemaNotSupportedException Unsupported(string keyword, string path, string what) =>
        new($"The JSON schema cannot be used: {what} (at {path}).", keyword, path);
}
