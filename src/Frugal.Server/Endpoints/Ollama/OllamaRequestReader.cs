using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts.Ollama;
using Frugal.Tools;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>
/// Turns the bodies of Ollama's <c>POST /api/chat</c> and <c>POST /api/generate</c> into a <see cref="ChatRequest"/>,
/// or throws the first problem as a <see cref="ChatRequestException"/> (answered in Ollama's shape): options mapped
/// (<c>num_predict</c>, <c>temperature</c>, <c>top_p</c>, <c>top_k</c>, <c>seed</c>, <c>stop</c>; <c>num_ctx</c> as the
/// request's own context, up to the one this server runs) or refused by name, <c>format</c> through the grammar path, everything this server
/// does not do (images, templates, a suffix, a context of ids) refused by name; tools through the grammar path.
/// </summary>
internal static class OllamaRequestReader
{
    /// <summary>The tag Ollama clients add to a model name.</summary>
    public const string LatestTag = ":latest";

    public static OllamaChatRequest ParseChat(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, OllamaJsonContext.Default.OllamaChatRequest, FieldTypes.Expected, "The request body is empty; send a JSON object with 'model' and 'messages'.",
            request => [request.Format, request.KeepAlive, request.Think, .. Others(request.Options), .. request.Tools?.Select(t => t?.Function?.Parameters) ?? [],
                .. request.Messages?.SelectMany(m => (JsonElement?[])[m?.Images, .. m?.ToolCalls?.Select(c => c?.Function?.Arguments) ?? []]) ?? []]);

    public static OllamaGenerateRequest ParseGenerate(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, OllamaJsonContext.Default.OllamaGenerateRequest, FieldTypes.Expected, "The request body is empty; send a JSON object with 'model' and 'prompt'.",
            request => [request.Format, request.KeepAlive, request.Context, request.Images, request.Think, .. Others(request.Options)]);

    public static OllamaShowRequest ParseShow(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, OllamaJsonContext.Default.OllamaShowRequest, FieldTypes.Expected, "The request body is empty; send a JSON object with 'model'.", _ => []);

    /// <summary>True when <paramref name="name"/> names <paramref name="model"/>, with or without Ollama's <c>:latest</c> tag.</summary>
    public static bool Names(ModelInfo model, string name) =>
        model.IsNamed(name) || (name.EndsWith(LatestTag, StringComparison.OrdinalIgnoreCase) && model.IsNamed(name[..^LatestTag.Length]));

    /// <summary>A named model must be the one this server runs (404, as Ollama answers an unknown model).</summary>
    public static void CheckModel(string? name, ModelInfo model)
    {
        if (name is { Length: > 0 } && !Names(model, name))
        {
            throw new ChatRequestException($"model '{name}' not found; this server runs '{model.Id}' (see GET /api/tags)", "model", "model_not_found",
                StatusCodes.Status404NotFound);
        }
    }

    /// <summary>
    /// The request of a chat and its tool use (null without tools); the request is null when it has no messages (Ollama
    /// answers such a request as a load). Tools are offered as with <c>tool_choice: "auto"</c> (Ollama has no choice).
    /// </summary>
    public static (ChatRequest? Request, ToolUse? Tools) ToChatRequest(OllamaChatRequest request, ModelInfo model, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        CheckModel(request.Model, model);
        Refusal.When(request.Think is { ValueKind: JsonValueKind.True or JsonValueKind.String }, "think", "'think' is not supported: this model does not think aloud.");
        if (request.Messages is not { Count: > 0 } messages)
        {
            return (null, null);
        }

        var turns = OllamaMessages.Read(messages);
        var tools = ToolRequestReader.Read(request.Tools, ToolChoice.Auto, parallel: true);
        Refusal.When(tools is not null && Format(request.Format) is not null, "format", "'format' together with 'tools' is not supported; send one of them.");
        var chat = WithSettings(new ChatRequest { Messages = tools?.Prepare(turns) ?? turns }, request.Options, request.Format, "messages", contextSize);
        return (tools is null ? chat : chat with { Grammar = tools.Grammar }, tools);
    }

    /// <summary>The request of a generation; null when the prompt is empty (Ollama answers such a request as a load).</summary>
    public static ChatRequest? ToChatRequest(OllamaGenerateRequest request, ModelInfo model, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        CheckModel(request.Model, model);
        Refusal.When(request.Suffix is { Length: > 0 }, "suffix", "'suffix' (fill in the middle) is not supported by this model.");
        Refusal.When(request.Template is { Length: > 0 }, "template", "'template' is not supported: the model's own chat template is used (or none with \"raw\": true).");
        Refusal.When(request.Context is { ValueKind: JsonValueKind.Array } context && context.GetArrayLength() > 0, "context",
            "'context' is not supported: send the conversation to /api/chat instead.");
        Refusal.When(request.Images is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0, "images", "'images' is not supported: this model reads text only.");
        Refusal.When(request.Think is { ValueKind: JsonValueKind.True or JsonValueKind.String }, "think", "'think' is not supported: this model does not think aloud.");
        var raw = request.Raw ?? false;
        Refusal.When(raw && request.System is { Length: > 0 }, "system", "'system' is not used with \"raw\": true; put it in the prompt.");
        if (request.Prompt is not { Length: > 0 } prompt)
        {
            return null;
        }

        var chat = raw
            ? ChatRequest.Completion(RawPrompt.FromText(prompt))
            : new ChatRequest { Messages = [.. request.System is { Length: > 0 } system ? [new ChatTurn(ChatRole.System, system)] : Array.Empty<ChatTurn>(), new ChatTurn(ChatRole.User, prompt)] };
        return WithSettings(chat, request.Options, request.Format, "prompt", contextSize);
    }

    private static ChatRequest WithSettings(ChatRequest request, OllamaOptions? options, JsonElement? format, string messagesName, int contextSize)
    {
        var grammar = Format(format);
        if (options is null)
        {
            return request with { Grammar = grammar, Names = new ChatRequestNames("options.num_predict", messagesName) };
        }

        if (options.Others is { Count: > 0 } others)
        {
            var name = others.Keys.Order(StringComparer.Ordinal).First();
            throw Bad($"option '{name}' is not supported by this server; supported: num_predict, temperature, top_p, top_k, seed, stop, num_ctx.",
                $"options.{name}", "unsupported_parameter");
        }

        if (options.NumCtx is { } numCtx && (numCtx < 1 || numCtx > contextSize))
        {
            throw Bad($"invalid num_ctx {numCtx}: this server runs the model with a context of {contextSize} tokens; ask for at most that.",
                "options.num_ctx", "invalid_value");
        }

        return request with
        {
            Grammar = grammar,
            MaxTokens = MaxTokens(options.NumPredict),
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            Seed = options.Seed,
            Stop = options.Stop,
            ContextSize = options.NumCtx,
            Names = new ChatRequestNames("options.num_predict", messagesName),
        };
    }

    // -1 (no limit) and -2 (fill the context) take the server's budget: what the context leaves, at most the default.
    private static int? MaxTokens(int? numPredict) => numPredict switch
    {
        null or -1 or -2 => null,
        < 1 => throw Bad($"invalid num_predict {numPredict}: give at least 1 (or -1 for the server's budget).", "options.num_predict", "invalid_value"),
        _ => numPredict,
    };

    // "json": any JSON object; an object: JSON of that schema; "" or null: free text.
    private static GbnfGrammar? Format(JsonElement? format) => format switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        { ValueKind: JsonValueKind.String } text when text.GetString() is "" => null,
        { ValueKind: JsonValueKind.String } text when text.GetString() is "json" => JsonOutput.Grammar(null, "format"),
        { ValueKind: JsonValueKind.Object } schema => JsonOutput.Grammar(schema, "format"),
        _ => throw Bad("invalid format: give \"json\" or a JSON schema object.", "format", "invalid_value"),
    };

    private static IEnumerable<JsonElement?> Others(OllamaOptions? options) =>
        options?.Others?.Values.Select(value => (JsonElement?)value) ?? [];

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
