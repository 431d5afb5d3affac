namespace Frugal.Tools;

/// <summary>One call the model made: an id for the result to refer to, the tool, and its arguments as JSON text.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments);
