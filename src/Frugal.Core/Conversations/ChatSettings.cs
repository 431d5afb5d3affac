namespace Frugal.Conversations;

/// <summary>
/// How replies are sampled, kept per session and given per send; a null field takes the next one down (a send's
/// own, then the session's, then the server's default).
/// </summary>
public sealed record ChatSettings
{
    /// <summary>Every field unset: the server's defaults.</summary>
    public static ChatSettings Defaults { get; } = new();

    /// <summary>Most tokens of the reply: 1 to the context size.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature, 0 (greedy) to 2.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling, 0 to 1.</summary>
    public double? TopP { get; init; }

    /// <summary>Top-k sampling, at least 1.</summary>
    public int? TopK { get; init; }

    /// <summary>Seed of the sampler: equal seeds and settings give equal replies.</summary>
    public long? Seed { get; init; }

    /// <summary>These settings with every unset field taken from <paramref name="fallback"/>.</summary>
    public ChatSettings Over(ChatSettings fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new ChatSettings
        {
            MaxTokens = MaxTokens ?? fallback.MaxTokens,
            Temperature = Temperature ?? fallback.Temperature,
            TopP = TopP ?? fallback.TopP,
            TopK = TopK ?? fallback.TopK,
            Seed = Seed ?? fallback.Seed,
        };
    }
}
