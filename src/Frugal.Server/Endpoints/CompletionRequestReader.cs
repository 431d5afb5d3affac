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

    /// <summary>OpenAI's legacy completions list at most five alternatives per token.</summary>
    public const int MaxLogprobs = 5;

    /// <summary>
    /// The <see cref="ChatRequest"/> of a parsed body, and the text <c>echo</c> puts before the reply (null: no echo).
    /// </summary>
    public static (ChatRequest Request, string? Echo) ToChatRequest(CompletionRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.Check(request, model);
        OpenAIRequestReader.Refuse(Unsupported(request));
        var prompt = ReadPrompt(request.Prompt);
        var echo = request.Echo is true ? Echo(prompt, request) : null;
        if (request.Logprobs is { } top and (< 0 or > MaxLogprobs))
        {
            throw new ChatRequestException($"Invalid value for 'logprobs': {top}. It must be between 0 and {MaxLogprobs}.", "logprobs", "invalid_value");
        }

        var chat = OpenAIRequestReader.WithSampling(ChatRequest.Completion(prompt), request, "max_tokens", request.MaxTokens, "prompt");
        return (chat with { Logprobs = request.Logprobs, Names = chat.Names with { Logprobs = "logprobs" } }, echo);
    }

    // echo puts the prompt's text before the reply; the prompt's own log probabilities are not computed (only the reply's
    // tokens are sampled), and a prompt of token ids has no text as given.
    private static string Echo(RawPrompt prompt, CompletionRequest request) =>
        request.Logprobs is not null
            ? throw new ChatRequestException("'logprobs' together with 'echo' is not supported (the prompt's log probabilities are not computed); send one of them.",
                "logprobs", "unsupported_parameter")
            : prompt.Text ?? throw new ChatRequestException("'echo' needs a prompt of text; a prompt of token ids is not echoed.", "echo", "unsupported_parameter");

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
        : request.Suffix is { Length: > 0 } ? "suffix"
        : OpenAIRequestReader.Unsupported(request);

    private static ChatRequestException Bad(string message, string code) => new(message, "prompt", code);

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
