using System.Text.Json;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Tools;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// Reads Anthropic's <c>tools</c> (client tools: name, description, input_schema; server tools refused by name) and
/// <c>tool_choice</c> (<c>auto</c>, <c>any</c>, <c>tool</c>, <c>none</c>, <c>disable_parallel_tool_use</c>) into a
/// <see cref="ToolUse"/>, the same grammar-constrained tool calls as OpenAI's.
/// </summary>
internal static class AnthropicTools
{
    /// <summary>The request's tool use, or null when it offers none (no tools, or <c>tool_choice</c> <c>none</c>).</summary>
    public static ToolUse? Read(MessagesRequest request)
    {
        var tools = request.Tools ?? [];
        var definitions = new List<ToolDefinition>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var param = $"tools.{i}";
            var tool = tools[i] ?? throw Bad($"{param}: each tool must be an object with 'name' and 'input_schema'.", param, "invalid_type");
            if (tool.Type is { Length: > 0 } type && type != "custom")
            {
                throw Bad($"{param}.type: '{type}' tools run on Anthropic's servers and are not offered here; define a client tool with 'name' and 'input_schema'.",
                    $"{param}.type", "unsupported_parameter");
            }

            if (tool.Name is not { Length: > 0 } name)
            {
                throw Bad($"{param}.name: Field required.", $"{param}.name", "missing_required_parameter");
            }

            if (tool.InputSchema is not { ValueKind: JsonValueKind.Object } schema)
            {
                throw Bad($"{param}.input_schema: Field required (a JSON schema object).", $"{param}.input_schema", "missing_required_parameter");
            }

            definitions.Add(new ToolDefinition(name, tool.Description, schema));
        }

        var (choice, parallel) = Choice(request.ToolChoice);
        return ToolUse.Create(definitions, choice, parallel, i => $"tools.{i}.input_schema");
    }

    private static (ToolChoice Choice, bool Parallel) Choice(AnthropicToolChoice? choice)
    {
        var parallel = choice?.DisableParallelToolUse is not true;
        return choice?.Type switch
        {
            null when choice is null => (ToolChoice.Auto, parallel),
            "auto" => (ToolChoice.Auto, parallel),
            "any" => (new ToolChoice(ToolChoiceMode.Required), parallel),
            "none" => (new ToolChoice(ToolChoiceMode.None), parallel),
            "tool" when choice.Name is { Length: > 0 } name => (new ToolChoice(ToolChoiceMode.Named, name), parallel),
            "tool" => throw Bad("tool_choice.name: Field required when the type is 'tool'.", "tool_choice.name", "missing_required_parameter"),
            null => throw Bad("tool_choice.type: Field required ('auto', 'any', 'tool' or 'none').", "tool_choice.type", "missing_required_parameter"),
            var other => throw Bad($"tool_choice.type: '{other}' is not one of 'auto', 'any', 'tool', 'none'.", "tool_choice.type", "invalid_value"),
        };
    }

    private static ChatRequestException Bad(string message, string param, string code) => new(message, param, code);
}
