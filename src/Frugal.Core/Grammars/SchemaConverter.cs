using System.Text.Encodings.Web;
using System.Text.Json;

namespace Frugal.Grammars;

/// <summary>
/// Turns one JSON schema (and the <c>$ref</c>s it makes into its own document) into GBNF rules that produce only
/// JSON the schema accepts. Objects carry their required properties first, then any of the optional ones, in the
/// order declared; no property outside <c>properties</c> is ever written (so <c>additionalProperties</c> holds
/// whatever it says).
/// </summary>
internal sealed class SchemaConverter
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly GbnfRules _rules;
    private readonly JsonElement _document;
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    public SchemaConverter(GbnfRules rules, JsonElement document)
    {
        _rules = rules;
        _document = document;
    }

    /// <summary>The name of a rule producing the values <paramref name="schema"/> accepts, each followed by <c>space</c>.</summary>
    public string Visit(JsonElement schema, string path, string hint)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return JsonRules.Use(_rules, JsonRules.Value);
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw SchemaKeywords.Unsupported("schema", path, schema.ValueKind == JsonValueKind.False
                ? "the schema 'false' accepts no value"
                : "a schema must be a JSON object");
        }

        SchemaKeywords.CheckSupported(schema, path);
        List<string> alternatives = [.. Alternatives(schema, path, hint)];
        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            alternatives.Add(JsonRules.Use(_rules, JsonRules.Null));
        }

        return alternatives.Count == 1 && IsName(alternatives[0])
            ? alternatives[0]
            : _rules.Add(hint, string.Join(" | ", alternatives.Distinct(StringComparer.Ordinal)));
    }

    private IEnumerable<string> Alternatives(JsonElement schema, string path, string hint)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return [Ref(reference, path)];
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return [Literal(constant)];
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                throw SchemaKeywords.Unsupported("enum", path, "'enum' must be a non-empty array");
            }

            return values.EnumerateArray().Select(Literal).ToList();
        }

        foreach (var keyword in (string[])["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(keyword, out var choices))
            {
                if (choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                {
                    throw SchemaKeywords.Unsupported(keyword, path, $"'{keyword}' must be a non-empty array of schemas");
                }

                return choices.EnumerateArray().Select((choice, i) => Visit(choice, $"{path}/{keyword}/{i}", $"{hint}-{i}")).ToList();
            }
        }

        return Types(schema, path).Select(type => OfType(type, schema, path, hint)).ToList();
    }

    private string OfType(string type, JsonElement schema, string path, string hint) => type switch
    {
        "string" => ScalarRules.String(_rules, schema, path),
        "integer" => ScalarRules.Integer(_rules, schema, path),
        "number" => ScalarRules.Number(_rules, schema, path),
        "boolean" => JsonRules.Use(_rules, JsonRules.Boolean),
        "null" => JsonRules.Use(_rules, JsonRules.Null),
        "object" => ObjectRule(schema, path, hint),
        "array" => ArrayRule(schema, path, hint),
        "any" => JsonRules.Use(_rules, JsonRules.Value),
        _ => throw SchemaKeywords.Unsupported("type", path, $"'{type}' is not a JSON-schema type"),
    };

    // "{" then the required properties in order, then any of the optional ones in order, "}".
    private string ObjectRule(JsonElement schema, string path, string hint)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var required = Required(schema, path);
        var closed = schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False;
        if (properties.ValueKind != JsonValueKind.Object && required.Count == 0 && !closed)
        {
            return JsonRules.Use(_rules, JsonRules.Object);
        }

        var declared = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(x => x.Name).ToList() : [];
        var space = JsonRules.Use(_rules, JsonRules.Space);
        var comma = $"\",\" {space}";
        string Member(string name)
        {
            var value = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var sub)
                ? Visit(sub, $"{path}/properties/{name}", $"{hint}-{name}")
                : JsonRules.Use(_rules, JsonRules.Value);
            return $"{GbnfRules.Literal(JsonSerializer.Serialize(name, Compact))} {space} \":\" {space} {value}";
        }

        var mandatory = declared.Where(required.Contains).Concat(required.Where(r => !declared.Contains(r))).Select(Member).ToList();
        var optional = declared.Where(n => !required.Contains(n)).ToList();

        // opt-i: optional member i and any later ones, or only later ones.
        string? chain = null;
        for (var i = optional.Count - 1; i >= 0; i--)
        {
            var member = Member(optional[i]);
            chain = _rules.Add($"{hint}-rest", chain is null ? member : $"{member} ({comma} {chain})? | {chain}");
        }

        var body = (mandatory.Count, chain) switch
        {
            (0, null) => "",
            (0, _) => $"{chain}?",
            (_, null) => string.Join($" {comma} ", mandatory),
            _ => $"{string.Join($" {comma} ", mandatory)} ({comma} {chain})?",
        };
        return _rules.Add(hint, $"\"{{\" {space} {body} \"}}\" {space}");
    }

    private static HashSet<string> Required(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("required", out var required))
        {
            return [];
        }

        if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
        {
            throw SchemaKeywords.Unsupported("required", path, "'required' must be an array of property names");
        }

        return new HashSet<string>(required.EnumerateArray().Select(r => r.GetString()!), StringComparer.Ordinal);
    }

    // "[" then minItems to maxItems items, "]".
    private string ArrayRule(JsonElement schema, string path, string hint)
    {
        var min = ScalarRules.Count(schema, "minItems", path) ?? 0;
        var max = ScalarRules.Count(schema, "maxItems", path);
        if (max < min)
        {
            throw SchemaKeywords.Unsupported("maxItems", path, "'maxItems' is below 'minItems': no array fits");
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            throw SchemaKeywords.Unsupported("items", path, "'items' as an array (tuples) is not supported");
        }

        var space = JsonRules.Use(_rules, JsonRules.Space);
        if (max == 0)
        {
            return _rules.Add(hint, $"\"[\" {space} \"]\" {space}");
        }

        var item = items.ValueKind == JsonValueKind.Undefined ? JsonRules.Use(_rules, JsonRules.Value) : Visit(items, $"{path}/items", $"{hint}-item");
        var more = $"(\",\" {space} {item})";
        var rest = (Math.Max(0, min - 1), max) switch
        {
            (0, null) => $"{more}*",
            (var low, null) => $"{more}{{{low},}}",
            (var low, { } high) when low == high - 1 && low == 0 => "",
            (var low, { } high) => $"{more}{{{low},{high - 1}}}",
        };
        var items1 = rest.Length == 0 ? item : $"{item} {rest}";
        var body = min == 0 ? $"({items1})?" : items1;
        return _rules.Add(hint, $"\"[\" {space} {body} \"]\" {space}");
    }

    // The types a schema allows: its 'type' (a string or an array), or the one its keywords imply, or any.
    private static List<string> Types(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return [type.GetString()!];
            }

            if (type.ValueKind == JsonValueKind.Array && type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String))
            {
                return [.. type.EnumerateArray().Select(t => t.GetString()!).Distinct(StringComparer.Ordinal)];
            }

            throw SchemaKeywords.Unsupported("type", path, "'type' must be a type name or a non-empty array of them");
        }

        bool Has(params string[] names) => names.Any(n => schema.TryGetProperty(n, out _));
        return Has("properties", "required", "additionalProperties") ? ["object"]
            : Has("items", "minItems", "maxItems") ? ["array"]
            : Has("minLength", "maxLength", "format") ? ["string"]
            : Has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") ? ["number"]
            : ["any"];
    }

    private string Ref(JsonElement reference, string path)
    {
        var target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        if (!target.StartsWith('#'))
        {
            throw SchemaKeywords.Unsupported("$ref", path, $"'$ref' must point into the same schema ('#/$defs/Name'), not '{target}'");
        }

        if (_refs.TryGetValue(target, out var known))
        {
            return known;
        }

        var resolved = Resolve(target, path);
        var segments = target.Split('/');
        var name = _rules.Reserve($"def-{segments[^1]}");
        _refs[target] = name;
        _rules.Set(name, Visit(resolved, target, name));
        return name;
    }

    // A JSON pointer into the document ("#/$defs/Item", "#").
    private JsonElement Resolve(string target, string path)
    {
        var node = _document;
        foreach (var raw in target.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(segment, out var child))
            {
                node = child;
            }
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index >= 0 && index < node.GetArrayLength())
            {
                node = node[index];
            }
            else
            {
                throw SchemaKeywords.Unsupported("$ref", path, $"'$ref' points at '{target}', which is not in the schema");
            }
        }

        return node;
    }

    // A JSON value written exactly, compactly (const, enum).
    private string Literal(JsonElement value) =>
        $"{GbnfRules.Literal(JsonSerializer.Serialize(value, Compact))} {JsonRules.Use(_rules, JsonRules.Space)}";

    private static bool IsName(string expression) => expression.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
