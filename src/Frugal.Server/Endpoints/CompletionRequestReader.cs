using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Turns the bytes of a <c>POST /v1/completions</c> body into a <see cref="ChatRequest"/> for a prompt read as given
/// (<see cref="ChatRequest.Completion"/>), or throws the first problem as a <see cref="ChatRequestException"/> naming
/// the field; every value is then checked by the pipeline's validator, as for chat completions.
/// </summary>
internal static class CompletionRequestReader
{
    public static CompletionRequest Parse(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, OpenAIJsonContext.Default.CompletionRequest, FieldTypes.Expected,
            "The request body is empty; send a JSON object with 'model' and 'prompt'.",
            request => [request.Prompt, request.LogitBias]);

    public static ChatRequest ToChatRequest(CompletionRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.Check(request, model);
        OpenAIRequestReader.Refuse(Unsupported(request));
        return OpenAIRequestReader.WithSampling(ChatRequest.Completion(ReadPrompt(request.Prompt)), request, "max_tokens", request.MaxTokens, "prompt");
    }

    // A string, or one prompt in an array (of one string, of token ids, or of one array of token ids); several prompts
    // in one request would be several completions, which this server does not batch.
    private static RawPrompt ReadPrompt(JsonElement? prompt)
    {
        if (prompt is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            throw Bad("'prompt' is required: a string or an array of token ids.", "missing_required_parameter");
        }

        switch (given.ValueKind)
        {
            case JsonValueKind.String:
                return RawPrompt.FromText(given.GetString()!);
            case JsonValueKind.Array when given.GetArrayLength() == 0:
                throw Bad("'prompt' is an empty array; send a string or an array of token ids.", "invalid_value");
            case JsonValueKind.Array when given[0].ValueKind is JsonValueKind.Number:
                return RawPrompt.FromTokens(TokenIds(given, "prompt"));
            case JsonValueKind.Array when given.GetArrayLength() > 1:
                throw Bad($"'prompt' holds {given.GetArrayLength()} prompts; this server completes one prompt per request.", "invalid_value");
            case JsonValueKind.Array when given[0].ValueKind is JsonValueKind.String:
                return RawPrompt.FromText(given[0].GetString()!);
            case JsonValueKind.Array when given[0].ValueKind is JsonValueKind.Array && given[0].GetArrayLength() > 0:
                return RawPrompt.FromTokens(TokenIds(given[0], "prompt[0]"));
            default:
                throw Bad("Invalid type for 'prompt': expected a string or an array of token ids.", "invalid_type");
        }
    }

    private static List<int> TokenIds(JsonElement array, string param)
    {
        var ids = new List<int>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id))
            {
                throw new ChatRequestException($"Invalid type in '{param}': expected token ids (integers), found {item.ValueKind.ToString().ToLowerInvariant()} '{Clip(item.GetRawText())}'.",
                    "prompt", "invalid_type");
            }

            ids.Add(id);
        }

        return ids;
    }

    // Refused by name rather than ignored: a parameter this server does not implement changes what the client expects.
    private static string? Unsupported(CompletionRequest request) =>
        request.BestOf is { } bestOf && bestOf != 1 ? "best_of"
        : request.Echo is true ? "echo"
        : request.Suffix is { Length: > 0 } ? "suffix"
        : request.Logprobs is not null ? "logprobs"
        : OpenAIRequestReader.Unsupported(request);

    private static ChatRequestException Bad(string message, string code) => new(message, "prompt", code);

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
