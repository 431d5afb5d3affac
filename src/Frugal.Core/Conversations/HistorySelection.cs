using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>What <see cref="HistoryWindow.Select"/> chose.</summary>
/// <param name="Messages">The prompt: system prompt, kept turns, new message.</param>
/// <param name="OmittedMessages">Earlier (non-empty) messages left out for lack of room.</param>
/// <param name="PromptTokens">Tokens of the formatted prompt.</param>
public sealed record HistorySelection(IReadOnlyList<ChatTurn> Messages, int OmittedMessages, int PromptTokens);
