using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Frugal.Requests;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The one way a dialect's JSON body is read: the bytes (Kestrel's size limit applies), then the checks in the
/// order a client fixes them — empty, encoding, then one pass of the serializer (JSON syntax, the types of the
/// dialect's contract, a lone surrogate in a string), then lone surrogates in fields kept as raw JSON — each thrown as a <see cref="ChatRequestException"/> naming the field, which the error middleware
/// answers in the endpoint's dialect.
/// </summary>
internal static class RequestBody
{
    /// <summary>Reads the whole body; Kestrel enforces the size limit while this reads (413 through the error middleware).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Reads <paramref name="body"/> as <typeparamref name="T"/>, in one pass over the bytes.</summary>
    /// <param name="body">The bytes.</param>
    /// <param name="type">The dialect's contract.</param>
    /// <param name="expectedType">What a field of that name must be ("a string"), for a wrong type's message.</param>
    /// <param name="emptyMessage">What to say about an empty body (which fields to send).</param>
    /// <param name="rawFields">The contract's fields kept as raw JSON (not turned into strings while reading), checked for lone surrogates.</param>
    public static T Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type, Func<string, string> expectedType, string emptyMessage,
        Func<T, IEnumerable<JsonElement?>> rawFields)
        where T : class
    {
        if (body.IsEmpty)
        {
            throw Bad(emptyMessage);
        }

        if (!Utf8.IsValid(body))
        {
            throw Bad("The request body is not valid UTF-8.", code: "invalid_encoding");
        }

        T? request;
        try
        {
            // One pass over the bytes: the serializer reports a syntax error as its reader's exception wrapped in its own.
            request = JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException e) when (e.InnerException is JsonException syntax)
        {
            throw Bad($"The request body is not valid JSON: {Describe(syntax)}", code: "invalid_json");
        }
        catch (JsonException e) when (ParamOf(e.Path) == "(body)")
        {
            throw Bad("The request body must be a JSON object.", code: "invalid_json");
        }
        catch (JsonException) when (HasLoneSurrogate(body))
        {
            // A custom converter's string read failed on it (only an error costs a second look at the body).
            throw LoneSurrogate();
        }
        catch (JsonException e)
        {
            var param = ParamOf(e.Path);
            var message = e.Message.Contains("Path:", StringComparison.Ordinal) || string.IsNullOrEmpty(e.Message)
                ? $"Invalid type for '{param}': expected {expectedType(param)}."
                : e.Message;
            throw Bad(message, param, "invalid_type");
        }
        catch (InvalidOperationException)
        {
            // A \u escape of a lone surrogate in a string field: the text cannot be turned into a valid string.
            throw LoneSurrogate();
        }

        if (request is null)
        {
            throw Bad("The request body must be a JSON object.", code: "invalid_json");
        }

        // Fields kept as raw JSON were not turned into strings yet: check them here rather than where they are used.
        if (rawFields(request).Any(element => element is { } value && !HasOnlyValidStrings(value)))
        {
            throw LoneSurrogate();
        }

        return request;
    }

    /// <summary>The last name of a parameter path, without an index: "messages[0].role" → "role", "messages[0]" → "messages".</summary>
    public static string FieldOf(string param)
    {
        var field = param[(param.LastIndexOf('.') + 1)..];
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? field[..bracket] : field;
    }

    private static ChatRequestException Bad(string message, string? param = null, string? code = null) => new(message, param, code);

    private static ChatRequestException LoneSurrogate() =>
        Bad("The request body contains an invalid Unicode escape (a lone surrogate).", code: "invalid_encoding");

    private static bool HasLoneSurrogate(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        return !HasOnlyValidStrings(document.RootElement);
    }

    // Valid UTF-8 can still escape a lone surrogate ("\ud800"), which no string can hold.
    private static bool HasOnlyValidStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(HasOnlyValidStrings);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => p.Name.Length >= 0 && HasOnlyValidStrings(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // "$.messages[0].role" -> "messages[0].role"
    private static string ParamOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "(body)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    // The reader's message says what and where ("'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 9.").
    private static string Describe(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $"{e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.')} (line {line + 1}, byte {position + 1})."
            : e.Message;
}
