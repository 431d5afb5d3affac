using System.Text.Json;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Ollama;
using Frugal.Tools;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>
/// The messages of <c>POST /api/chat</c> as the model reads them: system, user and assistant text, an assistant's
/// <c>tool_calls</c> and the <c>tool</c> messages answering them (in the generic tool-call format); images refused by name.
/// </summary>
internal static class OllamaMessages
{
    public static List<ChatTurn> Read(IReadOnlyList<OllamaMessage?> messages)
    {
        var turns = new List<ChatTurn>(messages.Count);
        var unanswered = new Queue<string>(); // the last assistant's calls, answered in order by tool messages without a tool_name
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            var message = messages[i] ?? throw Bad($"'{param}' is null; each message must be an object with 'role' and 'content'.", param, "invalid_type");
            Refusal.When(message.Images is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0, $"{param}.images",
                "'images' is not supported: this model reads text only.");
            turns.Add(message.Role switch
            {
                "system" => new ChatTurn(ChatRole.System, message.Content ?? ""),
                "user" => new ChatTurn(ChatRole.User, message.Content ?? ""),
                "assistant" when message.ToolCalls is { Count: > 0 } calls => Calls(calls, $"{param}.tool_calls", unanswered),
                "assistant" => new ChatTurn(ChatRole.Assistant, message.Content ?? ""),
                "tool" => ToolFormat.Result(message.ToolName is { Length: > 0 } name ? name : unanswered.TryDequeue(out var next) ? next : null, message.Content ?? ""),
                null => throw Bad($"'{param}.role' is required.", $"{param}.role", "missing_required_parameter"),
                _ => throw Bad($"invalid role '{message.Role}' in '{param}.role'; supported: system, user, assistant, tool.", $"{param}.role", "invalid_value"),
            });
        }

        return turns;
    }

    // An assistant message that called tools, shown to the model as the JSON it would have written.
    private static ChatTurn Calls(IReadOnlyList<OllamaToolCall?> calls, string param, Queue<string> unanswered)
    {
        unanswered.Clear();
        var list = new List<(string, string?)>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i]?.Function is not { Name: { Length: > 0 } name } function)
            {
                throw Bad($"'{param}[{i}].function.name' is required.", $"{param}[{i}].function.name", "missing_required_parameter");
            }

            unanswered.Enqueue(name);
            list.Add((name, function.Arguments switch
            {
                { ValueKind: JsonValueKind.String } text => text.GetString(),
                { ValueKind: JsonValueKind.Object } arguments => arguments.GetRawText(),
                null or { ValueKind: JsonValueKind.Null } => null,
                _ => throw Bad($"'{param}[{i}].function.arguments' must be an object.", $"{param}[{i}].function.arguments", "invalid_type"),
            }));
        }

        return ToolFormat.AssistantCalls(list);
    }

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
