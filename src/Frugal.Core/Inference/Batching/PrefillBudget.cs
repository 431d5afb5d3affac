namespace Frugal.Inference.Batching;

/// <summary>
/// How many prompt tokens of joining requests a step may carry beside running replies. A reply that runs faster
/// than the floor rate has time in hand (see <see cref="EngineOptions.PrefillHorizonTokens"/>); the step may spend
/// the least any reply in it has on prompt tokens, so prefill never pushes a reply below the floor. With nothing
/// in hand the step carries none: the newcomer waits, as the floor asks, until a reply ends or gains time.
/// </summary>
internal static class PrefillBudget
{
    /// <param name="marginSeconds">The least time in hand among the replies in the step (seconds; infinite: none decodes).</param>
    /// <param name="promptToken">What one prompt token adds to a step; null before one was measured (then the chunk).</param>
    /// <param name="chunk">The most prompt tokens a step carries beside running replies.</param>
    public static int Tokens(double marginSeconds, TimeSpan? promptToken, int chunk)
    {
        if (promptToken is not { } perToken || perToken <= TimeSpan.Zero || double.IsPositiveInfinity(marginSeconds))
        {
            return chunk;
        }

        var fits = marginSeconds / perToken.TotalSeconds;
        return fits >= chunk ? chunk : Math.Max(0, (int)fits);
    }
}
