namespace Frugal.Server.Contracts;

/// <summary>One reply the engine works on, in <c>/status</c>: its slot, whether it is starting or streaming, and its rate.</summary>
/// <param name="Slot">The engine's sequence it runs in.</param>
/// <param name="State">"prefill" while its prompt is evaluated, "streaming" once tokens come.</param>
/// <param name="PromptTokens">Tokens of its prompt.</param>
/// <param name="EvaluatedTokens">Prompt tokens in the cache so far (kept ones included).</param>
/// <param name="CompletionTokens">Reply tokens so far.</param>
/// <param name="TokensPerSecond">Reply tokens per second since its first.</param>
public sealed record StreamStatus(int Slot, string State, int PromptTokens, int EvaluatedTokens, int CompletionTokens, double TokensPerSecond);
