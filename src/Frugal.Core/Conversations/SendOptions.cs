namespace Frugal.Conversations;

/// <summary>How to generate one reply in a conversation; null values take the defaults.</summary>
public sealed record SendOptions
{
    /// <summary>The default options.</summary>
    public static SendOptions Default { get; } = new();

    /// <summary>Most tokens of the reply: 1 to the context size. Default: the smaller of 256 and half the context.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature, 0 (greedy) to 2. Default: the engine's default.</summary>
    public float? Temperature { get; init; }
}
