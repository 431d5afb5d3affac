using System.Text.Json;
using System.Text.Json.Nodes;
using Frugal.Inference;

namespace Frugal.Tools;

/// <summary>
/// The generic tool-call format's keys, and how calls and results already in a conversation are shown to the
/// model: an assistant's calls as the JSON it would have written, a tool's result as a user message saying so.
/// </summary>
public static class ToolFormat
{
    public const string CallsKey = "tool_calls";
    public const string ResponseKey = "response";
    public const string NameKey = "name";
    public const string ArgumentsKey = "arguments";

    /// <summary>An assistant message that called tools (arguments as the client sent them back: JSON text).</summary>
    public static ChatTurn AssistantCalls(IEnumerable<(string Name, string? Arguments)> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var list = new JsonArray();
        foreach (var (name, arguments) in calls)
        {
            list.Add(new JsonObject { [NameKey] = name, [ArgumentsKey] = ParseOrText(arguments) });
        }

        return new ChatTurn(ChatRole.Assistant, new JsonObject { [CallsKey] = list }.ToJsonString());
    }

    /// <summary>A tool's result, as the user message that brings it to the model.</summary>
    public static ChatTurn Result(string? toolName, string content) =>
        new(ChatRole.User, $"Result of the tool {toolName ?? "call"}: {content}");

    private static JsonNode? ParseOrText(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return new JsonObject();
        }

        try
        {
            return JsonNode.Parse(arguments);
        }
        catch (JsonException)
        {
            return JsonValue.Create(arguments);
        }
    }
}
