using System.Text;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Tools;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// A message's <c>content</c> as the model reads it: a string or content blocks, in order — text blocks joined, an
/// assistant's <c>tool_use</c> blocks as the calls it would have written, a user's <c>tool_result</c> blocks as the results
/// of the calls they name (the generic tool-call format); any other block is refused by its type.
/// </summary>
internal static class AnthropicContent
{
    /// <summary>The text of a string or of text blocks (the system prompt); null when absent.</summary>
    public static string? Text(JsonElement? content, string param)
    {
        if (Given(content) is not { } given)
        {
            return null;
        }

        var turns = Turns(ChatRole.System, given, param, []);
        return string.Concat(turns.Select(t => t.Content));
    }

    /// <summary>
    /// The turns of one message of <paramref name="role"/>; <paramref name="callNames"/> maps each <c>tool_use</c> id
    /// seen so far to its tool, for the results that answer it.
    /// </summary>
    public static List<ChatTurn> Turns(ChatRole role, JsonElement content, string param, Dictionary<string, string> callNames)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [new ChatTurn(role, content.GetString()!)];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"{param}: must be a string or an array of content blocks.", param, "invalid_type");
        }

        var turns = new List<ChatTurn>();
        var text = new StringBuilder();
        var calls = new List<(string Name, string? Arguments)>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var at = $"{param}.{index++}";
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw Bad($"{at}: each content block must be an object with a 'type'.", at, "invalid_type");
            }

            switch (type.GetString())
            {
                case "text":
                    FlushCalls(turns, calls);
                    text.Append(String(block, "text", at));
                    break;
                case "tool_use" when role == ChatRole.Assistant:
                    FlushText(turns, role, text);
                    var name = String(block, "name", at);
                    if (block.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        callNames[id.GetString()!] = name;
                    }

                    calls.Add((name, block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object ? input.GetRawText() : null));
                    break;
                case "tool_result" when role == ChatRole.User:
                    Flush(turns, role, text, calls);
                    var callId = String(block, "tool_use_id", at);
                    var result = block.TryGetProperty("content", out var resultContent) ? Text(resultContent, $"{at}.content") ?? "" : "";
                    var failed = block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True;
                    turns.Add(ToolFormat.Result(callNames.GetValueOrDefault(callId), failed ? $"(error) {result}" : result));
                    break;
                case "tool_use" or "tool_result":
                    throw Bad($"{at}.type: '{type.GetString()}' blocks belong in {(type.ValueEquals("tool_use") ? "an assistant" : "a user")} message.",
                        $"{at}.type", "invalid_value");
                default:
                    throw Bad($"{at}.type: '{type.GetString()}' blocks are not supported: this model reads text and tool blocks only.", $"{at}.type",
                        "unsupported_parameter");
            }
        }

        Flush(turns, role, text, calls);
        return turns.Count > 0 ? turns : [new ChatTurn(role, "")];
    }

    private static JsonElement? Given(JsonElement? content) =>
        content is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given ? given : null;

    private static string String(JsonElement block, string field, string at) =>
        block.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Bad($"{at}.{field}: Field required (a string).", $"{at}.{field}", "invalid_type");

    private static void Flush(List<ChatTurn> turns, ChatRole role, StringBuilder text, List<(string Name, string? Arguments)> calls)
    {
        FlushText(turns, role, text);
        FlushCalls(turns, calls);
    }

    private static void FlushCalls(List<ChatTurn> turns, List<(string Name, string? Arguments)> calls)
    {
        if (calls.Count > 0)
        {
            turns.Add(ToolFormat.AssistantCalls(calls));
            calls.Clear();
        }
    }

    private static void FlushText(List<ChatTurn> turns, ChatRole role, StringBuilder text)
    {
        if (text.Length > 0)
        {
            turns.Add(new ChatTurn(role, text.ToString()));
            text.Clear();
        }
    }

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
