namespace Frugal.Inference.Batching;

/// <summary>
/// How many prompt tokens of joining requests a step may carry beside running replies. A reply that runs faster
/// than the floor rate has time in hand (see <see cref="EngineOptions.PrefillHorizonTokens"/>); the step may spend
/// the least any reply in it has on prompt tokens, so prefill never pushes a reply below the floor. With nothing
/// in hand the step carries none: the newcomer waits, as the floor asks, until a reply ends or gains time.
/// A few prompt tokens are not worth a step: beside the replies' rows each costs about what a reply's row costs,
/// while in a chunk of dozens they share the weights' reading (TinyLlama Q4_K_M on one core: ≈ 31–38 ms a prompt
/// token in steps carrying 1–3 of them, ≈ 17 ms in a 54-token chunk). So the step carries none until the replies have
/// time in hand for <see cref="MinimumTokens"/> of them (or for what is left of the prompts): meanwhile the replies,
/// decoding alone, gain time, and the prompt goes in a chunk that costs half as much a token.
/// </summary>
internal static class PrefillBudget
{
    /// <summary>The fewest prompt tokens a step carries beside running replies: a quarter of the chunk, at least 1.</summary>
    public static int MinimumTokens(int chunk) => Math.Max(1, chunk / 4);

    /// <param name="marginSeconds">The least time in hand among the replies in the step (seconds; infinite: none decodes).</param>
    /// <param name="promptToken">What one prompt token adds to a step; null before one was measured (then the chunk).</param>
    /// <param name="chunk">The most prompt tokens a step carries beside running replies.</param>
    /// <param name="remaining">Prompt tokens the joining requests have left to evaluate.</param>
    public static int Tokens(double marginSeconds, TimeSpan? promptToken, int chunk, int remaining)
    {
        if (promptToken is not { } perToken || perToken <= TimeSpan.Zero || double.IsPositiveInfinity(marginSeconds))
        {
            return chunk;
        }

        var fits = marginSeconds / perToken.TotalSeconds;
        if (fits >= chunk)
        {
            return chunk;
        }

        var tokens = Math.Max(0, (int)fits);
        return tokens >= Math.Min(MinimumTokens(chunk), remaining) ? tokens : 0;
    }
}
