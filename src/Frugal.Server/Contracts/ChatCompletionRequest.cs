using System.Text.Json;

namespace Frugal.Server.Contracts;

/// <summary>The body of <c>POST /v1/chat/completions</c> (the fields Frugal honours or refuses by name; others are ignored).</summary>
public sealed record ChatCompletionRequest : OpenAIRequest
{
    public IReadOnlyList<ChatCompletionMessage?>? Messages { get; init; }

    public int? MaxCompletionTokens { get; init; }

    public ChatCompletionResponseFormat? ResponseFormat { get; init; }

    public IReadOnlyList<ChatCompletionTool?>? Tools { get; init; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c>, or <c>{"type": "function", "function": {"name": ...}}</c>.</summary>
    public JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    /// <summary>True: each content token's log probability in the choice's <c>logprobs</c>.</summary>
    public bool? Logprobs { get; init; }

    /// <summary>How many most likely tokens to list at each place (0 to 20; needs <see cref="Logprobs"/>).</summary>
    public int? TopLogprobs { get; init; }

    // Read only to refuse it by name (400), never silently ignored.
    public JsonElement? Functions { get; init; }
}
