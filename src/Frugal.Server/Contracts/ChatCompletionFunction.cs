namespace Frugal.Server.Contracts;

/// <summary>A function offered as a tool: its name, description and the JSON schema of its arguments.</summary>
public sealed record ChatCompletionFunction
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public System.Text.Json.JsonElement? Parameters { get; init; }

    /// <summary>Accepted either way: the arguments always keep to the whole schema, or the request is refused.</summary>
    public bool? Strict { get; init; }
}
