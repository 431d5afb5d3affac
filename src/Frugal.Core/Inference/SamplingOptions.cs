namespace Frugal.Inference;

/// <summary>Sampling settings. Temperature 0 is greedy and deterministic.</summary>
public sealed record SamplingOptions
{
    public static SamplingOptions Default { get; } = new();

    public float Temperature { get; init; } = 0.7f;
    public float TopP { get; init; } = 0.95f;
    public int TopK { get; init; } = 40;
    public float MinP { get; init; } = 0.05f;
    public float RepeatPenalty { get; init; } = 1.1f;

    /// <summary>Seed of the random sampler; null picks one.</summary>
    public uint? Seed { get; init; }

    /// <summary>True when the same request always gives the same reply.</summary>
    public bool IsDeterministic => Temperature <= 0f || Seed is not null;
}
