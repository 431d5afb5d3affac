namespace Frugal.Models;

/// <summary>What <see cref="ModelSynthesizer"/> writes: shape, weight type, vocabulary source and seed.</summary>
public sealed record SynthesisOptions
{
    /// <summary>The model's shape.</summary>
    public ModelShape Shape { get; init; } = ModelShape.Tiny;

    /// <summary>Type of the weight matrices: <see cref="GgmlType.Q8_0"/> (default), F16 or F32. Norms are always F32.</summary>
    public GgmlType Quant { get; init; } = GgmlType.Q8_0;

    /// <summary>A GGUF file whose tokenizer.* metadata is copied (and whose vocabulary size is used), or null for the built-in vocabulary.</summary>
    public string? VocabularyFrom { get; init; }

    /// <summary>The chat template stored in tokenizer.chat_template.</summary>
    public string ChatTemplate { get; init; } = KnownChatTemplates.TinyLlamaZephyr;

    /// <summary>Seed of the random weights: the same seed writes the same file.</summary>
    public ulong Seed { get; init; } = 42;
}
