using System.Text;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// Turns the body of <c>POST /v1/messages</c> (and of <c>count_tokens</c>) into a <see cref="ChatRequest"/>, or throws
/// the first problem as a <see cref="ChatRequestException"/> (answered in Anthropic's shape): a system prompt, text
/// blocks, the sampling settings in Anthropic's ranges; other content blocks, tools, thinking and a prefilled assistant
/// turn are refused by name.
/// </summary>
internal static class AnthropicRequestReader
{
    /// <summary>Anthropic's temperature range is 0 to 1.</summary>
    public const double MaxTemperature = 1;

    public static MessagesRequest Parse(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, AnthropicJsonContext.Default.MessagesRequest, FieldTypes.Expected,
            "The request body is empty; send a JSON object with 'model', 'max_tokens' and 'messages'.",
            request => [request.System, request.Metadata, request.Tools, request.ToolChoice, request.Thinking, .. request.Messages?.Select(m => m?.Content) ?? []]);

    /// <summary>The request of a message: the conversation, the settings, the names for errors.</summary>
    public static ChatRequest ToChatRequest(MessagesRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = ReadConversation(request, model);
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

        return new ChatRequest
        {
            Messages = messages,
            MaxTokens = request.MaxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Stop = request.StopSequences,
            Names = new ChatRequestNames("max_tokens", "messages"),
        };
    }

    /// <summary>The conversation of a request (what <c>count_tokens</c> counts): the system prompt, then the messages.</summary>
    public static IReadOnlyList<ChatTurn> ReadConversation(MessagesRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.CheckModel(request.Model, model);
        Refusal.When(request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0, "tools",
            "tools: not supported on /v1/messages; send the request to /v1/chat/completions, which calls tools.");
        Refusal.When(request.ToolChoice is { ValueKind: not JsonValueKind.Null }, "tool_choice", "tool_choice: not supported on /v1/messages (no tools here).");
        Refusal.When(request.Thinking is { ValueKind: JsonValueKind.Object } thinking && !(thinking.TryGetProperty("type", out var type) && type.ValueEquals("disabled")),
            "thinking", "thinking: not supported: this model does not think aloud.");
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw Bad("messages: at least one message is required.", "messages", request.Messages is null ? "missing_required_parameter" : "invalid_value");
        }

        var turns = new List<ChatTurn>(messages.Count + 1);
        if (Text(request.System, "system") is { Length: > 0 } system)
        {
            turns.Add(new ChatTurn(ChatRole.System, system));
        }

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
            turns.Add(new ChatTurn(role, Text(message.Content, $"{param}.content") ?? throw Bad($"{param}.content: Field required.", $"{param}.content", "missing_required_parameter")));
        }

        Refusal.When(turns[^1].Role != ChatRole.User, $"messages.{messages.Count - 1}.role",
            "the last message must be the user's: continuing (prefilling) the assistant's reply is not supported.");
        return turns;
    }

    // A string, or an array of text blocks joined in order; any other block is refused by its type.
    private static string? Text(JsonElement? content, string param)
    {
        if (content is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            return null;
        }

        if (given.ValueKind == JsonValueKind.String)
        {
            return given.GetString();
        }

        if (given.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"{param}: must be a string or an array of content blocks.", param, "invalid_type");
        }

        var text = new StringBuilder();
        var index = 0;
        foreach (var block in given.EnumerateArray())
        {
            var at = $"{param}.{index++}";
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw Bad($"{at}: each content block must be an object with a 'type'.", at, "invalid_type");
            }

            if (!type.ValueEquals("text"))
            {
                throw Bad($"{at}.type: '{type.GetString()}' blocks are not supported: this model reads text blocks only.", $"{at}.type", "unsupported_parameter");
            }

            if (!block.TryGetProperty("text", out var part) || part.ValueKind != JsonValueKind.String)
            {
                throw Bad($"{at}.text: Field required (a string).", $"{at}.text", "invalid_type");
            }

            text.Append(part.GetString());
        }

        return text.ToString();
    }

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
