using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Tools;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// Turns the body of <c>POST /v1/messages</c> (and of <c>count_tokens</c>) into a <see cref="ChatRequest"/>, or throws
/// the first problem as a <see cref="ChatRequestException"/> (answered in Anthropic's shape): a system prompt, text
/// and tool blocks, tools (<see cref="AnthropicTools"/>), the sampling settings in Anthropic's ranges; other content
/// blocks, thinking and a prefilled assistant turn are refused by name.
/// </summary>
internal static class AnthropicRequestReader
{
    /// <summary>Anthropic's temperature range is 0 to 1.</summary>
    public const double MaxTemperature = 1;

    public static MessagesRequest Parse(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, AnthropicJsonContext.Default.MessagesRequest, FieldTypes.Expected,
            "The request body is empty; send a JSON object with 'model', 'max_tokens' and 'messages'.",
            request => [request.System, request.Metadata, request.Thinking, .. request.Tools?.Select(t => t?.InputSchema) ?? [],
                .. request.Messages?.Select(m => m?.Content) ?? []]);

    /// <summary>The request of a message and its tool use (null without tools): the conversation, the settings, the names for errors.</summary>
    public static (ChatRequest Request, ToolUse? Tools) ToChatRequest(MessagesRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (messages, tools) = ReadConversation(request, model);
        if (request.MaxTokens is null)
        {
            throw Bad("max_tokens: Field required.", "max_tokens", "missing_required_parameter");
        }

        if (request.Temperature is { } temperature && (!double.IsFinite(temperature) || temperature is < 0 or > MaxTemperature))
        {
            throw Bad($"temperature: {temperature} is out of range; it must be between 0 and 1.", "temperature", "invalid_value");
        }

        if (request.StopSequences is { Count: > ChatRequestValidator.MaxStopSequences } stops)
        {
            throw Bad($"stop_sequences: {stops.Count} given; this server takes at most {ChatRequestValidator.MaxStopSequences}.", "stop_sequences", "invalid_value");
        }

        return (new ChatRequest
        {
            Messages = messages,
            MaxTokens = request.MaxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Stop = request.StopSequences,
            Names = new ChatRequestNames("max_tokens", "messages"),
            Grammar = tools?.Grammar,
        }, tools);
    }

    /// <summary>
    /// The conversation of a request as the model reads it (what <c>count_tokens</c> counts): the system prompt with the
    /// tools' instructions, then the messages; and the tool use.
    /// </summary>
    public static (IReadOnlyList<ChatTurn> Turns, ToolUse? Tools) ReadConversation(MessagesRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.CheckModel(request.Model, model);
        Refusal.When(request.Thinking is { ValueKind: JsonValueKind.Object } thinking && !(thinking.TryGetProperty("type", out var type) && type.ValueEquals("disabled")),
            "thinking", "thinking: not supported: this model does not think aloud.");
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw Bad("messages: at least one message is required.", "messages", request.Messages is null ? "missing_required_parameter" : "invalid_value");
        }

        var tools = AnthropicTools.Read(request);
        var turns = new List<ChatTurn>(messages.Count + 1);
        if (AnthropicContent.Text(request.System, "system") is { Length: > 0 } system)
        {
            turns.Add(new ChatTurn(ChatRole.System, system));
        }

        var callNames = new Dictionary<string, string>(StringComparer.Ordinal); // tool_use id -> the tool it called
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages.{i}";
            var message = messages[i] ?? throw Bad($"{param}: each message must be an object with 'role' and 'content'.", param, "invalid_type");
            ChatRole role = message.Role switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                null => throw Bad($"{param}.role: Field required.", $"{param}.role", "missing_required_parameter"),
                _ => throw Bad($"{param}.role: '{message.Role}' is not one of 'user', 'assistant'.", $"{param}.role", "invalid_value"),
            };
            var content = message.Content is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given
                ? given
                : throw Bad($"{param}.content: Field required.", $"{param}.content", "missing_required_parameter");
            turns.AddRange(AnthropicContent.Turns(role, content, $"{param}.content", callNames));
        }

        Refusal.When(turns[^1].Role != ChatRole.User, $"messages.{messages.Count - 1}.role",
            "the last message must be the user's: continuing (prefilling) the assistant's reply is not supported.");
        return (tools?.Prepare(turns) ?? turns, tools);
    }

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
