namespace Frugal.Models;

/// <summary>What <see cref="ModelSynthesizer"/> writes: shape, weight type, vocabulary source and seed.</summary>
public sealed record SynthesisOptions
{
    /// <summary>The model's shape.</summary>
    public ModelShape Shape { get; init; } = ModelShape.Tiny;

    /// <summary>The file type, which picks each weight matrix's type: <see cref="ModelQuantization.Q8_0"/> by default. Norms are always F32.</summary>
    public ModelQuantization Quant { get; init; } = ModelQuantization.Q8_0;

    /// <summary>A GGUF file whose tokenizer.* metadata is copied (and whose vocabulary size is used), or null for the built-in vocabulary.</summary>
    public string? VocabularyFrom { get; init; }

    /// <summary>The chat template stored in tokenizer.chat_template; null writes a model without one.</summary>
    public string? ChatTemplate { get; init; } = KnownChatTemplates.TinyLlamaZephyr;

    /// <summary>Seed of the random weights: the same seed writes the same file.</summary>
    public ulong Seed { get; init; } = 42;
}
