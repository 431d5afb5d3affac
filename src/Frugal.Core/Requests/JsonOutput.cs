using System.Text.Json;
using Frugal.Grammars;
using Frugal.Inference;

namespace Frugal.Requests;

/// <summary>
/// The one way a dialect's "answer in JSON" (OpenAI's <c>response_format</c>, Ollama's <c>format</c>, the
/// <c>IChatClient</c>'s <c>ResponseFormat</c>) becomes the grammar of a <see cref="ChatRequest"/>, with a schema the
/// grammar cannot keep to refused as a <see cref="ChatRequestException"/> naming the keyword.
/// </summary>
public static class JsonOutput
{
    /// <summary>The grammar of any JSON object, or of the JSON <paramref name="schema"/> accepts when one is given.</summary>
    /// <param name="schema">The schema; null (or JSON null): any object.</param>
    /// <param name="param">The field that carried the schema, for the error.</param>
    public static GbnfGrammar Grammar(JsonElement? schema, string param)
    {
        if (schema is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            return JsonSchemaGrammar.AnyObject;
        }

        try
        {
            return JsonSchemaGrammar.FromSchema(given);
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new ChatRequestException(e.Message, param, "unsupported_schema");
        }
    }
}
