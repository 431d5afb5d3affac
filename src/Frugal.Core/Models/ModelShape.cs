namespace Frugal.Models;

/// <summary>The shape of a llama-architecture model that <see cref="ModelSynthesizer"/> can write.</summary>
public sealed record ModelShape
{
    /// <summary>Exactly TinyLlama-1.1B-Chat-v1.0: costs the same time and memory to run as the real model.</summary>
    public static ModelShape TinyLlama11B { get; } = new()
    {
        Name = "tinyllama-1.1b",
        EmbeddingLength = 2048,
        BlockCount = 22,
        FeedForwardLength = 5632,
        HeadCount = 32,
        HeadCountKv = 4,
        ContextLength = 2048,
        VocabSize = 32000,
    };

    /// <summary>A few-MB llama for tests: loads and runs in a blink, same metadata and template as TinyLlama.</summary>
    public static ModelShape Tiny { get; } = new()
    {
        Name = "tiny",
        EmbeddingLength = 64,
        BlockCount = 2,
        FeedForwardLength = 192,
        HeadCount = 4,
        HeadCountKv = 2,
        ContextLength = 2048,
    };

    /// <summary>The names the command line accepts, each with its shape.</summary>
    public static IReadOnlyList<ModelShape> Known { get; } = [TinyLlama11B, Tiny];

    /// <summary>The name the command line uses (<c>--shape</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Width of the hidden state.</summary>
    public required int EmbeddingLength { get; init; }
    /// <summary>Number of transformer blocks.</summary>
    public required int BlockCount { get; init; }
    /// <summary>Width of the feed-forward layer.</summary>
    public required int FeedForwardLength { get; init; }
    /// <summary>Attention heads.</summary>
    public required int HeadCount { get; init; }
    /// <summary>Attention heads.</summary>
    /// <summary>Key/value heads (grouped-query attention).</summary>
    public required int HeadCountKv { get; init; }
    /// <summary>The context length the model is trained for.</summary>
    public required int ContextLength { get; init; }

    /// <summary>Vocabulary size when no vocabulary file is given: the built-in vocabulary is padded to it. Null keeps the built-in size.</summary>
    public int? VocabSize { get; init; }

    /// <summary>RoPE frequency base.</summary>
    public float RopeFreqBase { get; init; } = 10000f;
    /// <summary>Epsilon of the RMS norms.</summary>
    public float RmsEpsilon { get; init; } = 1e-5f;

    /// <summary>Dimension of one attention head.</summary>
    public int HeadDimension => EmbeddingLength / HeadCount;

    /// <summary>The shape called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelShape? FromName(string name) =>
        Known.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
