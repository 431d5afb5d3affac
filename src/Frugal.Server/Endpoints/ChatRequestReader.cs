using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Tools;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Turns the bytes of a <c>POST /v1/chat/completions</c> body into a <see cref="ChatRequest"/>, or throws the
/// first problem found as a <see cref="ChatRequestException"/>, phrased for the client with the offending field.
/// Checks in the order a client fixes them: encoding, JSON syntax, types, then the fields only this dialect has.
/// </summary>
internal static class ChatRequestReader
{
    public static ChatCompletionRequest Parse(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest, ExpectedType,
            "The request body is empty; send a JSON object with 'model' and 'messages'.",
            request => [request.ResponseFormat?.JsonSchema?.Schema, request.ToolChoice, request.LogitBias, request.Functions,
                .. request.Tools?.Select(t => t?.Function?.Parameters) ?? []]);

    /// <summary>
    /// The <see cref="ChatRequest"/> of a parsed body for <paramref name="model"/>: the fields only this dialect has
    /// (model, n, roles) are checked here, every value by <see cref="ChatRequestValidator"/> in the pipeline.
    /// </summary>
    public static (ChatRequest Request, ToolUse? Tools) ToChatRequest(ChatCompletionRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.Check(request, model);
        OpenAIRequestReader.Refuse(OpenAIRequestReader.Unsupported(request) ?? (request.Functions is { ValueKind: not JsonValueKind.Null } ? "functions" : null));
        var messages = ReadMessages(request.Messages);
        var tools = ToolRequestReader.Read(request);
        if (tools is not null && request.ResponseFormat?.Type is not (null or "text"))
        {
            throw Bad("'response_format' together with 'tools' is not supported; send one of them.", "response_format", "unsupported_parameter");
        }

        var logprobs = ReadLogprobs(request);
        if (tools is not null && logprobs is not null)
        {
            throw Bad("'logprobs' together with 'tools' is not supported; send one of them.", "logprobs", "unsupported_parameter");
        }

        var (maxParam, maxTokens) = request.MaxCompletionTokens is { } mct ? ("max_completion_tokens", (int?)mct) : ("max_tokens", request.MaxTokens);
        var chat = new ChatRequest { Messages = tools?.Prepare(messages) ?? messages, Grammar = tools?.Grammar ?? ResponseGrammar(request.ResponseFormat) };
        return (OpenAIRequestReader.WithSampling(chat, request, maxParam, maxTokens, "messages") with { Logprobs = logprobs }, tools);
    }

    // logprobs: true lists each token's log probability, with top_logprobs alternatives (which need logprobs, as in OpenAI's API).
    private static int? ReadLogprobs(ChatCompletionRequest request)
    {
        if (request.TopLogprobs is not null && request.Logprobs is not true)
        {
            throw Bad("'top_logprobs' needs 'logprobs': true.", "top_logprobs", "invalid_value");
        }

        return request.Logprobs is true ? request.TopLogprobs ?? 0 : null;
    }

    // response_format: free text, any JSON object, or JSON of a schema (constrained decoding).
    private static GbnfGrammar? ResponseGrammar(ChatCompletionResponseFormat? format) => format?.Type switch
    {
        null or "text" => null,
        "json_object" => JsonOutput.Grammar(null, "response_format"),
        "json_schema" => JsonOutput.Grammar(format.JsonSchema?.Schema, "response_format.json_schema.schema"),
        _ => throw Bad($"Invalid value for 'response_format.type': '{format.Type}'. Supported: text, json_object, json_schema.", "response_format.type", "invalid_value"),
    };

    private static List<ChatTurn> ReadMessages(IReadOnlyList<ChatCompletionMessage?>? messages)
    {
        if (messages is null)
        {
            throw Bad("'messages' is required: an array of {\"role\", \"content\"} objects.", "messages", "missing_required_parameter");
        }

        if (messages.Count == 0)
        {
            throw Bad("'messages' is empty; send at least one message.", "messages", "invalid_value");
        }

        var turns = new List<ChatTurn>(messages.Count);
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal); // tool call id -> the tool it called
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            if (messages[i] is not { } message)
            {
                throw Bad($"'{param}' is null; each message must be an object with 'role' and 'content'.", param, "invalid_type");
            }

            ChatRole? role = message.Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" or "tool" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => null,
            };
            if (message.Role is null)
            {
                throw Bad($"'{param}.role' is required.", $"{param}.role", "missing_required_parameter");
            }

            if (role is null)
            {
                throw Bad($"Invalid value for '{param}.role': '{message.Role}'. Supported roles: system, developer, user, assistant, tool.",
                    $"{param}.role", "invalid_value");
            }

            if (message.Role == "assistant" && message.ToolCalls is { Count: > 0 } calls)
            {
                turns.Add(ToolMessages.AssistantCalls(calls, param, callNames));
                continue;
            }

            var content = message.Content ?? throw Bad($"'{param}.content' is required.", $"{param}.content", "missing_required_parameter");
            turns.Add(message.Role == "tool" ? ToolMessages.Result(message, param, callNames) : new ChatTurn(role.Value, content));
        }

        return turns;
    }

    private static ChatRequestException Bad(string message, string? param = null, string? code = null) => new(message, param, code);

    private static string ExpectedType(string param) => RequestBody.FieldOf(param) switch
    {
        "content" => "a string or an array of text parts",
        "logprobs" => "a boolean",
        _ => FieldTypes.Expected(param),
    };
}
