using System.Text.Json;
using Frugal.Inference;

namespace Frugal.Grammars;

/// <summary>
/// Frugal's JSON-schema → GBNF converter: the grammar a reply must follow so that it is JSON that validates
/// against a schema (OpenAI's <c>response_format: json_schema</c>, Ollama's <c>format</c>), or any JSON object
/// (<c>json_object</c>). Supported: <c>type</c> (one or several), objects (<c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>), arrays (<c>items</c>, <c>minItems</c>, <c>maxItems</c>), <c>enum</c>, <c>const</c>,
/// strings (<c>minLength</c>, <c>maxLength</c>, <c>format</c> date/time/date-time/uuid), integer and whole-number
/// bounds, <c>anyOf</c>/<c>oneOf</c> (the alternatives are not checked for overlap), <c>$ref</c> into the schema
/// (<c>$defs</c>, recursion), <c>nullable</c>. Annotations and unknown keywords are ignored, as validators do; the
/// validation keywords it cannot keep to are refused with <see cref="JsonSchemaNotSupportedException"/>.
/// </summary>
public static class JsonSchemaGrammar
{
    /// <summary>Any JSON object (OpenAI's <c>json_object</c>, Ollama's <c>format: "json"</c>).</summary>
    public static GbnfGrammar AnyObject { get; } = CreateAnyObject();

    /// <summary>The grammar of the JSON values <paramref name="schema"/> accepts.</summary>
    /// <exception cref="JsonSchemaNotSupportedException">The schema uses something the grammar cannot keep to.</exception>
    public static GbnfGrammar FromSchema(JsonElement schema)
    {
        var rules = new GbnfRules();
        rules.Reserve("root");
        var converter = new SchemaConverter(rules, schema);
        rules.Set("root", converter.Visit(schema, "#", "root"));
        return new GbnfGrammar(rules.Write());
    }

    private static GbnfGrammar CreateAnyObject()
    {
        var rules = new GbnfRules();
        rules.Reserve("root");
        rules.Set("root", JsonRules.Use(rules, JsonRules.Object));
        return new GbnfGrammar(rules.Write());
    }
}
