using System.Text.Json;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Tools;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Reads OpenAI's <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c> into a <see cref="ToolUse"/>; Ollama
/// sends its tools in the same shape.
/// </summary>
internal static class ToolRequestReader
{
    /// <summary>The request's tool use, or null when it offers none (no tools, or <c>tool_choice: "none"</c>).</summary>
    public static ToolUse? Read(ChatCompletionRequest request) => Read(request.Tools, Choice(request.ToolChoice), request.ParallelToolCalls ?? true);

    /// <summary>The tool use of OpenAI-shaped <paramref name="tools"/> under <paramref name="choice"/>, or null when none is offered.</summary>
    public static ToolUse? Read(IReadOnlyList<ChatCompletionTool?>? tools, ToolChoice choice, bool parallel)
    {
        tools ??= [];
        var definitions = new List<ToolDefinition>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var param = $"tools[{i}]";
            if (tools[i] is not { } tool || tool.Type != "function" || tool.Function is not { } function)
            {
                throw Bad($"'{param}' must be {{\"type\": \"function\", \"function\": {{\"name\": ..., \"parameters\": ...}}}}.", param);
            }

            if (function.Name is not { Length: > 0 } name)
            {
                throw new ChatRequestException($"'{param}.function.name' is required.", $"{param}.function.name", "missing_required_parameter");
            }

            definitions.Add(new ToolDefinition(name, function.Description, function.Parameters is { ValueKind: not JsonValueKind.Null } p ? p : null));
        }

        return ToolUse.Create(definitions, choice, parallel, i => $"tools[{i}].function.parameters");
    }

    private static ToolChoice Choice(JsonElement? choice)
    {
        if (choice is not { ValueKind: not JsonValueKind.Null } given)
        {
            return ToolChoice.Auto;
        }

        if (given.ValueKind == JsonValueKind.String)
        {
            return given.GetString() switch
            {
                "auto" => ToolChoice.Auto,
                "none" => new ToolChoice(ToolChoiceMode.None),
                "required" => new ToolChoice(ToolChoiceMode.Required),
                var other => throw Bad($"Invalid value for 'tool_choice': '{other}'. Use \"auto\", \"none\", \"required\" or a named function.", "tool_choice"),
            };
        }

        if (given.ValueKind == JsonValueKind.Object
            && given.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            return new ToolChoice(ToolChoiceMode.Named, name.GetString());
        }

        throw Bad("'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.", "tool_choice");
    }

    private static ChatRequestException Bad(string message, string param) => new(message, param, "invalid_value");
}
