namespace Frugal.Tools;

/// <summary>Whether the model may, must or must not call a tool (OpenAI's <c>tool_choice</c>).</summary>
public enum ToolChoiceMode
{
    /// <summary>The model answers in text or calls tools.</summary>
    Auto,

    /// <summary>The model answers in text; the tools are not offered.</summary>
    None,

    /// <summary>The model calls one or more tools.</summary>
    Required,

    /// <summary>The model calls the one tool named.</summary>
    Named,
}

/// <summary>The choice and, for <see cref="ToolChoiceMode.Named"/>, the tool's name.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? Name = null)
{
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);
}
