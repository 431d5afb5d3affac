namespace Frugal.Server.Contracts.Ollama;

/// <summary>
/// One line of a chat or generate stream, or the whole answer: <see cref="Message"/> (chat) or <see cref="Response"/>
/// (generate) carries the text; the last (<see cref="Done"/>) also the reason and the figures, durations in nanoseconds.
/// </summary>
public sealed record OllamaReply(string Model, string CreatedAt, bool Done)
{
    public OllamaMessage? Message { get; init; }

    public string? Response { get; init; }

    /// <summary><c>stop</c>, <c>length</c>, or <c>load</c> for a request with nothing to answer.</summary>
    public string? DoneReason { get; init; }

    public long? TotalDuration { get; init; }

    public long? LoadDuration { get; init; }

    public int? PromptEvalCount { get; init; }

    public long? PromptEvalDuration { get; init; }

    public int? EvalCount { get; init; }

    public long? EvalDuration { get; init; }
}
