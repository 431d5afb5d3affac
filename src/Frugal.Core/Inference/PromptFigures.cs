namespace Frugal.Inference;

/// <summary>
/// How a request's prompt was placed in the KV cache, known when it takes its sequence and before its first text:
/// a caller whose reply ends early (a client that hangs up) still knows what the reply was generated from.
/// </summary>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CachedPromptTokens">Prompt tokens a kept KV state already held (not evaluated).</param>
/// <param name="ShiftedOutTokens">
/// Cells of older turns a context shift removed for this prompt (see <see cref="GenerationStats.ShiftedOutTokens"/>); 0: no shift.
/// </param>
public sealed record PromptFigures(int PromptTokens, int CachedPromptTokens, int ShiftedOutTokens);
