using System.Text.Json;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>One entry of <c>tools</c>: a client tool, <c>{"name", "description", "input_schema"}</c> (a server tool has a <c>type</c>).</summary>
public sealed record AnthropicTool
{
    public string? Type { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? InputSchema { get; init; }
}
