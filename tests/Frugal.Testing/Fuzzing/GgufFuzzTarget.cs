using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Testing.Fuzzing;

/// <summary>
/// The model-file checks that stand before llama.cpp: <see cref="PinnedModelFile.Open"/> (the GGUF reader),
/// <see cref="ModelInfoReader.FromFile"/> (hyper-parameter, tokenizer and tensor-set validation), the chat template recognizer and
/// the memory estimate at a small context, run on a file written for each input. Their own error is
/// <see cref="ModelFileException"/>; seeds are two small complete models written by our writer (F32 and Q8_0).
/// </summary>
public sealed class GgufFuzzTarget : IFuzzTarget
{
    private readonly string _input;

    /// <summary>Writes the seeds and keeps each input in <paramref name="workDirectory"/>.</summary>
    public GgufFuzzTarget(string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        _input = Path.Combine(workDirectory, "input.gguf");
        Seeds = [Seed(workDirectory, 8, ModelQuantization.F32), Seed(workDirectory, 32, ModelQuantization.Q8_0)];
    }

    public string Name => "gguf";

    public IReadOnlyList<byte[]> Seeds { get; }

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        "GGUF"u8.ToArray(), "general.architecture"u8.ToArray(), "llama.block_count"u8.ToArray(), "llama.attention.head_count"u8.ToArray(),
        "tokenizer.ggml.tokens"u8.ToArray(), "tokenizer.ggml.bos_token_id"u8.ToArray(), "general.alignment"u8.ToArray(),
        "token_embd.weight"u8.ToArray(), "output.weight"u8.ToArray(), "tokenizer.ggml.model"u8.ToArray(), "tokenizer.ggml.token_type"u8.ToArray(),
        "tokenizer.ggml.merges"u8.ToArray(), "gpt2"u8.ToArray(), "<0x0A>"u8.ToArray(), "blk.0.attn_q.weight"u8.ToArray(), "rope_freqs.weight"u8.ToArray(),
        "llama.expert_count"u8.ToArray(), "llama.rope.dimension_count"u8.ToArray(), "_token_id"u8.ToArray(),
    ];

    /// <summary>The header: everything before the tensor data.</summary>
    public int HotLength(byte[] seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        File.WriteAllBytes(_input, seed);
        return (int)GgufReader.Read(_input).DataOffset;
    }

    public bool Run(byte[] input)
    {
        File.WriteAllBytes(_input, input);
        using var pinned = PinnedModelFile.Open(_input);
        var info = ModelInfoReader.FromFile(pinned.File);
        _ = ChatTemplateRecognizer.Recognize(info.ChatTemplate);
        _ = MemoryEstimator.Estimate(info, 64);
        return true;
    }

    public bool IsOwnError(Exception exception) => exception is ModelFileException;

    /// <summary>The last input, as a file (to load it natively in another process).</summary>
    public string InputPath => _input;

    private static byte[] Seed(string directory, int width, ModelQuantization quant)
    {
        var path = Path.Combine(directory, $"seed-{quant.Name}.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions
        {
            Shape = new ModelShape
            {
                Name = "fuzz",
                EmbeddingLength = width,
                BlockCount = 1,
                FeedForwardLength = 2 * width,
                HeadCount = 2,
                HeadCountKv = 1,
                ContextLength = 64,
            },
            Quant = quant,
        });
        return File.ReadAllBytes(path);
    }
}
