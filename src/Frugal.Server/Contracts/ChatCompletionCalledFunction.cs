using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>The function a tool call calls, and its arguments as JSON text.</summary>
public sealed record ChatCompletionCalledFunction
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; init; }
}
