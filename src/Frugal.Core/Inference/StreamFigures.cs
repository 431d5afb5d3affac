namespace Frugal.Inference;

/// <summary>One reply the engine is working on now: evaluating its prompt or streaming, and at what rate.</summary>
/// <param name="Slot">The engine's sequence (slot) it runs in.</param>
/// <param name="Prefilling">True while its prompt is being evaluated (no reply token yet).</param>
/// <param name="PromptTokens">Tokens of its prompt.</param>
/// <param name="EvaluatedTokens">Prompt tokens in the cache so far (kept ones included).</param>
/// <param name="CompletionTokens">Reply tokens so far.</param>
/// <param name="TokensPerSecond">Reply tokens per second since its first (0 until the second token).</param>
public sealed record StreamFigures(int Slot, bool Prefilling, int PromptTokens, int EvaluatedTokens, int CompletionTokens, double TokensPerSecond);
