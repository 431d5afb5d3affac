namespace Frugal.Inference.Batching;

/// <summary>
/// How many prompt tokens of joining requests a step may carry beside running replies. A reply that ran faster
/// than the floor rate since its first token has time in hand; the step may spend the smallest such margin of the
/// replies in it on prompt tokens, so prefill never pushes a reply's rate below the floor (the newcomer waits
/// for the margin to grow instead). At most the prefill chunk; at least <see cref="LeastTokens"/>, so a prompt
/// always moves on even while every reply runs at the floor.
/// </summary>
internal static class PrefillBudget
{
    /// <summary>Prompt tokens a step carries however little margin the replies have (the smallest chunk accepted).</summary>
    public const int LeastTokens = EngineOptions.MinPrefillChunkTokens;

    /// <param name="marginSeconds">
    /// The smallest time in hand among the replies in the step, less the step's own decode cost (seconds).
    /// </param>
    /// <param name="promptToken">What one prompt token adds to a step; null before one was measured (then the chunk).</param>
    /// <param name="chunk">The most prompt tokens a step carries beside running replies.</param>
    public static int Tokens(double marginSeconds, TimeSpan? promptToken, int chunk)
    {
        if (promptToken is not { } perToken || perToken <= TimeSpan.Zero || double.IsPositiveInfinity(marginSeconds))
        {
            return chunk;
        }

        var fits = marginSeconds / perToken.TotalSeconds;
        return fits >= chunk ? chunk : Math.Min(chunk, Math.Max(LeastTokens, (int)fits));
    }
}
