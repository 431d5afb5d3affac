namespace Frugal.Server.Contracts;

/// <summary>
/// A legacy completion's <c>logprobs</c> (when asked with <c>logprobs: N</c>): per token its text, its log probability,
/// the N most likely tokens there with the chosen one (up to N + 1 entries), and where it starts in the text.
/// </summary>
public sealed record TextCompletionLogprobs(
    IReadOnlyList<string> Tokens, IReadOnlyList<double> TokenLogprobs, IReadOnlyList<IReadOnlyDictionary<string, double>> TopLogprobs, IReadOnlyList<int> TextOffset);
