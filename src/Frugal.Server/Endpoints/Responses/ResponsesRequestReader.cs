using System.Text;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts.Responses;

namespace Frugal.Server.Endpoints.Responses;

/// <summary>
/// Turns the bytes of a <c>POST /v1/responses</c> body into a <see cref="ChatRequest"/> (its stateless form: <c>input</c>
/// as text or message items, <c>instructions</c> as the system message), or throws the first problem as a
/// <see cref="ChatRequestException"/> naming the field; what needs a stored response (<c>store: true</c>,
/// <c>previous_response_id</c>, <c>conversation</c>, <c>background</c>) and what this server does not do (tools,
/// reasoning, <c>include</c>, <c>top_logprobs</c>, items other than messages) is refused by name.
/// </summary>
internal static class ResponsesRequestReader
{
    public static ResponsesRequest Parse(ReadOnlySpan<byte> body) =>
        RequestBody.Parse(body, ResponsesJsonContext.Default.ResponsesRequest, ExpectedType, "The request body is empty; send a JSON object with 'model' and 'input'.",
            request => [request.Input, request.Metadata, request.Text?.Format?.Schema, request.Conversation, request.Tools, request.Reasoning, request.Include]);

    public static ChatRequest ToChatRequest(ResponsesRequest request, ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        OpenAIRequestReader.CheckModel(request.Model, model);
        Refusal.When(request.Store is true, "store", "'store': true is not supported: this server keeps no responses; send 'store': false or leave it out.");
        Refusal.When(request.PreviousResponseId is not null, "previous_response_id", "'previous_response_id' is not supported: no responses are kept; send the conversation in 'input'.");
        Refusal.When(IsSet(request.Conversation), "conversation", "'conversation' is not supported: no conversations are kept here; send the conversation in 'input' (or use /api/sessions).");
        Refusal.When(request.Background is true, "background", "'background' is not supported; send the request without it.");
        Refusal.When(request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0, "tools", "'tools' is not supported on /v1/responses; use /v1/chat/completions.");
        Refusal.When(IsSet(request.Reasoning), "reasoning", "'reasoning' is not supported: this model does not reason aloud.");
        Refusal.When(request.Include is { ValueKind: JsonValueKind.Array } include && include.GetArrayLength() > 0, "include", "'include' is not supported; send the request without it.");
        Refusal.When(request.TopLogprobs is not null, "top_logprobs", "'top_logprobs' is not supported on /v1/responses; use /v1/chat/completions.");
        var fit = request.Truncation switch
        {
            null or "disabled" => false,
            "auto" => true,
            _ => throw Bad($"Invalid value for 'truncation': '{request.Truncation}'. Supported: disabled, auto.", "truncation", "invalid_value"),
        };

        List<ChatTurn> turns = [.. request.Instructions is { Length: > 0 } instructions ? [new ChatTurn(ChatRole.System, instructions)] : Array.Empty<ChatTurn>(), .. ReadInput(request.Input)];
        return new ChatRequest
        {
            Messages = turns,
            FitHistory = fit,
            MaxTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            Grammar = Grammar(request.Text?.Format),
            Names = new ChatRequestNames("max_output_tokens", "input"),
        };
    }

    private static List<ChatTurn> ReadInput(JsonElement? input)
    {
        switch (input)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                throw Bad("'input' is required: a string or an array of messages.", "input", "missing_required_parameter");
            case { ValueKind: JsonValueKind.String } text:
                return [new ChatTurn(ChatRole.User, text.GetString()!)];
            case { ValueKind: JsonValueKind.Array } items when items.GetArrayLength() == 0:
                throw Bad("'input' is empty; send at least one message.", "input", "invalid_value");
            case { ValueKind: JsonValueKind.Array } items:
                return [.. items.EnumerateArray().Select((item, i) => ReadItem(item, $"input[{i}]"))];
            default:
                throw Bad("Invalid type for 'input': expected a string or an array of messages.", "input", "invalid_type");
        }
    }

    // A message item: {"type": "message"?, "role", "content": text or [{"type": "input_text"|"output_text", "text"}]}.
    private static ChatTurn ReadItem(JsonElement item, string param)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"Invalid type for '{param}': expected a message object with 'role' and 'content'.", param, "invalid_type");
        }

        var type = Text(item, "type", param);
        Refusal.When(type is not (null or "message"), $"{param}.type", $"Input items of type '{type}' are not supported; send messages (role and content).");
        var role = Text(item, "role", param) switch
        {
            "user" => ChatRole.User,
            "system" or "developer" => ChatRole.System,
            "assistant" => ChatRole.Assistant,
            null => throw Bad($"'{param}.role' is required.", $"{param}.role", "missing_required_parameter"),
            var other => throw Bad($"Invalid value for '{param}.role': '{other}'. Supported roles: user, system, developer, assistant.", $"{param}.role", "invalid_value"),
        };
        return new ChatTurn(role, Content(item.TryGetProperty("content", out var content) ? content : default, $"{param}.content"));
    }

    private static string Content(JsonElement content, string param)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                var i = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var partParam = $"{param}[{i++}]";
                    var type = part.ValueKind == JsonValueKind.Object ? Text(part, "type", partParam) : null;
                    Refusal.When(type is not ("input_text" or "output_text"), $"{partParam}.type",
                        $"Content parts of type '{type ?? part.ValueKind.ToString().ToLowerInvariant()}' are not supported; send input_text parts.");
                    text.Append(Text(part, "text", partParam) ?? throw Bad($"'{partParam}.text' is required.", $"{partParam}.text", "missing_required_parameter"));
                }

                return text.ToString();
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw Bad($"'{param}' is required.", param, "missing_required_parameter");
            default:
                throw Bad($"Invalid type for '{param}': expected a string or an array of text parts.", param, "invalid_type");
        }
    }

    private static string? Text(JsonElement item, string name, string param) => item.TryGetProperty(name, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw Bad($"Invalid type for '{param}.{name}': expected a string.", $"{param}.{name}", "invalid_type"),
        }
        : null;

    // text.format: free text, any JSON object, or JSON of a schema (the grammar path of chat completions).
    private static GbnfGrammar? Grammar(ResponsesTextFormat? format) => format?.Type switch
    {
        null or "text" => null,
        "json_object" => JsonOutput.Grammar(null, "text.format"),
        "json_schema" => JsonOutput.Grammar(format.Schema, "text.format.schema"),
        _ => throw Bad($"Invalid value for 'text.format.type': '{format.Type}'. Supported: text, json_object, json_schema.", "text.format.type", "invalid_value"),
    };

    private static bool IsSet(JsonElement? value) => value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);

    private static string ExpectedType(string param) => RequestBody.FieldOf(param) switch
    {
        "input" => "a string or an array of messages",
        "instructions" or "previous_response_id" or "truncation" => "a string",
        "max_output_tokens" or "top_logprobs" => "an integer",
        "store" or "background" => "a boolean",
        "text" or "format" => "an object",
        _ => FieldTypes.Expected(param),
    };
}
