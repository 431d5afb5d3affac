using Frugal.Models;

namespace Frugal.Memory;

/// <summary>
/// Estimates the memory a model needs at a given context size, from its shape alone (no native code).
/// </summary>
/// <remarks>
/// Calibrated against what llama.cpp (LLamaSharp 0.30.0, CPU) logs for its buffers, on the synthesized
/// tiny and TinyLlama-1.1B shapes at contexts 256–4096 and micro-batches 128/512:
/// <list type="bullet">
/// <item><b>Weights</b>: all tensor data: memory-mapped (file-backed pages, the whole file when hot), but for the part
/// llama.cpp repacks at load (<see cref="ModelInfo.RepackedTensorBytes"/>), which is an anonymous copy instead.</item>
/// <item><b>KV cache</b>: 2 (K and V) × blocks × cells × (embedding / heads × KV heads) × 2 bytes (f16).
/// Cells are context × parallel sequences (one unified cache), rounded up to 256 as llama.cpp does.
/// TinyLlama at 2048: 44 MiB, exactly as logged.</item>
/// <item><b>Compute</b>: llama.cpp reserves the peak of the graph at a full micro-batch u = min(batch, cells).
/// With flash attention (llama.cpp's "auto" resolves to on for CPU) the peak is the larger of the
/// layer phase, u × cells × 2 (f16 mask) + u × (3 × ff + 4 × embedding) × 4, and the output phase,
/// u × (vocabulary + 2 × embedding) × 4 (all logits of the batch). Without flash attention the layer
/// phase holds the attention scores: u × cells × (heads + 1) × 4 + u × 2 × ff × 4. Plus the logits
/// output buffer, vocabulary × 4 per sequence. Matches the logged sizes within 3 % (TinyLlama,
/// context 2048, batch 512: 70.5 MiB logged and estimated).</item>
/// <item><b>Runtime</b>: measured on a .NET process with LLamaSharp loaded: ~38 MiB of runtime and
/// native library pages plus ~6 MiB anonymous, plus the tokenizer tables (~190 bytes per token:
/// 6 MiB for a 32,000-token vocabulary). A server adds ASP.NET Core and SQLite on top, which the memory
/// governor calibrates at run time.</item>
/// </list>
/// </remarks>
public static class MemoryEstimator
{
    /// <summary>Runtime and native library pages of a .NET process with LLamaSharp loaded.</summary>
    public const long RuntimeBaseBytes = 44L << 20;

    /// <summary>Tokenizer tables per vocabulary entry (measured: ~5.9 MB for 32,000 tokens).</summary>
    public const long TokenizerBytesPerToken = 190;

    /// <summary>llama.cpp pads the KV cache to a multiple of this many cells.</summary>
    public const int KvCellPadding = 256;

    /// <summary>Estimates the memory to run <paramref name="model"/> with <paramref name="contextSize"/> tokens per sequence.</summary>
    /// <param name="model">The model, as read by <see cref="ModelInfoReader"/>.</param>
    /// <param name="contextSize">Tokens of context per sequence.</param>
    /// <param name="batchSize">llama.cpp's (micro-)batch size for prompt evaluation.</param>
    /// <param name="parallelSequences">Sequences decoded together, sharing one unified KV cache.</param>
    /// <param name="flashAttention">Whether flash attention is on (llama.cpp's auto turns it on for CPU).</param>
    public static MemoryEstimate Estimate(ModelInfo model, int contextSize, int batchSize = 512, int parallelSequences = 1, bool flashAttention = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelSequences);

        // Int128 and checked: a crafted shape (2^31 layers × 2^31 cells × ...) must not wrap into a small
        // estimate that says the model fits; anything that large reads as "never fits".
        try
        {
            return EstimateChecked(model, contextSize, batchSize, parallelSequences, flashAttention);
        }
        catch (OverflowException)
        {
            const long never = long.MaxValue / 4;
            return new MemoryEstimate
            {
                WeightsBytes = model.TensorDataBytes,
                RepackedWeightsBytes = Repacked(model),
                KvCacheBytes = never,
                ComputeBytes = never,
                RuntimeBytes = never,
                ContextSize = contextSize,
                KvCells = int.MaxValue,
            };
        }
    }

    private static MemoryEstimate EstimateChecked(ModelInfo model, int contextSize, int batchSize, int parallelSequences, bool flashAttention)
    {
        checked
        {
            var cells = (Int128)contextSize * parallelSequences;
            cells = (cells + KvCellPadding - 1) / KvCellPadding * KvCellPadding;
            Int128 embd = model.EmbeddingLength, ff = model.FeedForwardLength, vocab = model.VocabSize;
            Int128 kvWidth = model.HeadCount > 0 ? embd / model.HeadCount * model.HeadCountKv : embd;
            var kv = (Int128)2 * model.BlockCount * cells * kvWidth * 2;

            var u = Int128.Min(batchSize, cells);
            var layers = flashAttention
                ? (u * cells * 2) + (u * ((3 * ff) + (4 * embd)) * 4)
                : (u * cells * ((Int128)model.HeadCount + 1) * 4) + (u * 2 * ff * 4);
            var output = u * (vocab + (2 * embd)) * 4;
            var compute = Int128.Max(layers, output) + (vocab * 4 * parallelSequences);

            return new MemoryEstimate
            {
                WeightsBytes = model.TensorDataBytes,
                RepackedWeightsBytes = Repacked(model),
                KvCacheBytes = Saturate(kv),
                ComputeBytes = Saturate(compute),
                RuntimeBytes = Saturate(RuntimeBaseBytes + (vocab * TokenizerBytesPerToken)),
                ContextSize = contextSize,
                KvCells = (int)Int128.Min(cells, int.MaxValue),
            };
        }
    }

    private static long Repacked(ModelInfo model) => Math.Clamp(model.RepackedTensorBytes, 0, Math.Max(0, model.TensorDataBytes));

    // A quarter of long.MaxValue each, so the estimate's total (four parts) cannot overflow either.
    private static long Saturate(Int128 bytes) => (long)Int128.Min(bytes, long.MaxValue / 4);
}
