using Frugal.Inference;

namespace Frugal.Requests;

/// <summary>What <see cref="HistoryWindow.Select"/> chose.</summary>
/// <param name="Messages">The prompt: system messages, kept turns, the last message.</param>
/// <param name="OmittedMessages">Earlier (non-empty) messages left out for lack of room.</param>
/// <param name="PromptTokens">Tokens of the formatted prompt, counted once.</param>
public sealed record HistorySelection(IReadOnlyList<ChatTurn> Messages, int OmittedMessages, int PromptTokens)
{
    /// <summary>Earlier messages left out by the memory governor's limit on exchanges.</summary>
    public int DroppedMessages { get; init; }
}
