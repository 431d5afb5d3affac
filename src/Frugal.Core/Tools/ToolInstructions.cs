using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Frugal.Tools;

/// <summary>The system-message text that offers the tools and tells the answer format.</summary>
internal static class ToolInstructions
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IReadOnlyList<ToolDefinition> offered, ToolChoice choice)
    {
        var text = new StringBuilder("You can call these tools (each with the JSON schema of its arguments):\n");
        foreach (var tool in offered)
        {
            var entry = new JsonObject { ["name"] = tool.Name };
            if (tool.Description is { Length: > 0 } description)
            {
                entry["description"] = description;
            }

            entry["parameters"] = tool.Parameters is { } parameters ? JsonNode.Parse(parameters.GetRawText()) : new JsonObject();
            text.Append(entry.ToJsonString(Compact)).Append('\n');
        }

        const string call = """{"tool_calls": [{"name": "TOOL NAME", "arguments": {ARGUMENTS}}]}""";
        text.Append(choice.Mode switch
        {
            ToolChoiceMode.Named => $"Call the tool {choice.Name} now. Answer with this JSON object only: {call}",
            ToolChoiceMode.Required => $"Call one or more of them now. Answer with this JSON object only: {call}",
            _ => $"Answer with one JSON object only: {call} to call tools, or {{\"response\": \"YOUR ANSWER\"}} to answer the user directly.",
        });
        return text.ToString();
    }
}
