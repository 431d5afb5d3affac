using Frugal.Inference.Batching;
using Frugal.Models;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference;

/// <summary>
/// The native side's lifetime: the memory-mapped weights, the one context over them and its abort
/// callback. Created once per engine; everything that decodes borrows <see cref="Context"/>.
/// </summary>
internal sealed class LlamaRuntime : IDisposable
{
    private LlamaRuntime(SafeLlamaModelHandle weights, SafeLLamaContextHandle context, int sequences)
    {
        Weights = weights;
        Context = context;
        Sequences = sequences;
        Abort = AbortSignal.InstallOn(context);
    }

    /// <summary>The loaded model.</summary>
    public SafeLlamaModelHandle Weights { get; }

    /// <summary>The context: <see cref="Sequences"/> sequences (plus the scratch sequence when there is one).</summary>
    public SafeLLamaContextHandle Context { get; }

    /// <summary>llama.cpp's abort callback on <see cref="Context"/>.</summary>
    public AbortSignal Abort { get; }

    /// <summary>Sequences that hold sessions (slots).</summary>
    public int Sequences { get; }

    /// <summary>
    /// The sequence that holds no cells of its own when there is one slot: cells are copied to it only to be
    /// saved or restored apart from the rest (a unified cache shares cells between sequences). Null with
    /// several slots, whose non-unified cache gives each sequence a stream no other sequence can copy onto.
    /// </summary>
    public LLamaSeqId? Scratch => Sequences == 1 ? (LLamaSeqId)1 : null;

    /// <summary>
    /// The KV cache's streams, which a sequence's saved state records: one for a single slot (a unified cache shared
    /// with the scratch sequence), else one per sequence (see <see cref="ContextParameters"/>).
    /// </summary>
    public int Streams => Sequences;

    /// <summary>Context size in tokens of one sequence.</summary>
    public int SequenceContextSize => checked((int)Context.ContextSize) / Sequences;

    /// <summary>Loads the native library through LLamaSharp's selector (the choice applied, CPU features); a no-op once loaded.</summary>
    public static void LoadLibrary() => NativeApi.llama_empty_call();

    /// <summary>
    /// Loads the native library, then the weights of <paramref name="pinned"/> as the engine does: repacked as
    /// <see cref="EngineOptions.RepackWeights"/> says, or as auto decides by the file's types and the kernels of the CPU
    /// backend just loaded; the page cache first in 2 MiB pages when <see cref="EngineOptions.HugePages"/> asks (a
    /// read-back when it holds small pages), and the repacked copy in them too where the backend is Frugal's (the
    /// report's <see cref="HugePageReport.RepackedHugeBytes"/>). Runs on a worker thread.
    /// </summary>
    /// <exception cref="ModelFileException">llama.cpp refused the file.</exception>
    public static (SafeLlamaModelHandle Weights, bool Repacked, HugePageReport Pages) LoadWeights(EngineOptions options, PinnedModelFile pinned)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pinned);
        LoadLibrary();
        var repack = RepackedWeights.Requested(pinned.File, options.RepackWeights, FrugalCpuKernels.Current);
        var pages = options.HugePages ? PageCache.PrepareHugePages(pinned.Handle) : HugePageReport.Off;
        var hugeRepacked = repack && FrugalCpuKernels.SetRepackedHugePages(options.HugePages) && options.HugePages;
        var weights = LoadWeights(options, pinned.LoadPath, repack);
        return (weights, repack, hugeRepacked ? pages with { RepackedHugeBytes = PageCache.AdvisedAnonymousHugeBytes() } : pages);
    }

    /// <summary>
    /// Loads the weights memory-mapped (no mlock, CPU only) from <paramref name="loadPath"/>: the file our reader
    /// validated, held open. Runs on a worker thread.
    /// </summary>
    /// <exception cref="ModelFileException">llama.cpp refused the file.</exception>
    public static SafeLlamaModelHandle LoadWeights(EngineOptions options, string loadPath, bool repack)
    {
        // Loads the native library through LLamaSharp's selector (CPU features, log callback) before the
        // first direct native call below.
        NativeApi.llama_empty_call();
        var parameters = LLamaModelParams.Default();
        parameters.n_gpu_layers = 0;

        // Memory-mapped: the weights stay file-backed pages the kernel can drop and re-read, not a
        // private anonymous copy (measured 2026-11-25, TinyLlama Q8_0 in the 1 CPU / 2 GiB box: 113 MiB
        // anonymous instead of 1,228 MiB). No mlock.
        parameters.load_mode = LLamaLoadMode.MemoryMap;
        parameters.use_extra_bufts = repack;
        try
        {
            return SafeLlamaModelHandle.LoadFromFile(loadPath, parameters);
        }
        catch (LoadWeightsFailedException e)
        {
            throw new ModelFileException(options.ModelPath, "llama.cpp could not load the model", e);
        }
    }

    /// <summary>Creates the context over <paramref name="weights"/>; the runtime owns both from here on.</summary>
    public static LlamaRuntime Create(SafeLlamaModelHandle weights, EngineOptions options, int contextSize, int threads)
    {
        // With several sequences each gets the whole context size of its own: a non-unified KV cache
        // gives every sequence its own stream of n_ctx / n_seq_max cells, so one session's cells are laid
        // out exactly as in a single-sequence context (and no session can crowd out another's room).
        var microBatch = options.MicroBatchSize > 0 ? Math.Min(options.MicroBatchSize, options.BatchSize) : options.BatchSize;
        var parameters = ContextParameters(checked(contextSize * options.ParallelSequences), options.BatchSize, microBatch,
            options.ParallelSequences, threads, options.FlashAttention);
        try
        {
            return new LlamaRuntime(weights, weights.CreateContext(parameters), options.ParallelSequences);
        }
        catch (RuntimeError e)
        {
            throw new InvalidOperationException($"llama.cpp could not create a context of {contextSize} tokens × {options.ParallelSequences} sequence(s): {e.Message}", e);
        }
    }

    /// <summary>
    /// Measures whether decoding several sequences together pays on this machine; null when the
    /// measurement cannot run (no memory for the small probe context, say), which leaves batching off.
    /// </summary>
    public static ParallelMeasurement? MeasureParallel(SafeLlamaModelHandle weights, EngineOptions options, int threads, ILogger logger)
    {
        try
        {
            return BatchGainProbe.Measure(weights, options, options.MaxAutoParallelSequences, threads);
        }
        catch (Exception e) when (e is RuntimeError or InvalidOperationException)
        {
            EngineLog.ParallelMeasureFailed(logger, e);
            return null;
        }
    }

    /// <summary>
    /// Native context parameters: <paramref name="sequences"/> sequences over a non-unified KV cache of
    /// <paramref name="contextTokens"/> cells in all, CPU threads, flash attention (null: llama.cpp decides).
    /// A single sequence gets a unified cache with a second, scratch sequence (<see cref="Scratch"/>) that
    /// shares its cells: through it a session's newest cells are saved and restored apart from the rest.
    /// </summary>
    /// <remarks>
    /// Measured 2026-11-25 (TinyLlama shape, 1 CPU / 2 GiB box, plain LLamaSharp, 80 tokens after 1,284):
    /// flash attention forced on or off was within noise of auto, so auto (which also uses less KV working
    /// memory) stays; a Q8_0 KV cache halved a saved state but made evaluation over a long cache 2.7x
    /// slower, so the cache stays f16.
    /// </remarks>
    internal static LLamaContextParams ContextParameters(int contextTokens, int batch, int microBatch, int sequences, int threads, bool? flashAttention)
    {
        var parameters = LLamaContextParams.Default();
        parameters.n_ctx = checked((uint)contextTokens);
        parameters.n_batch = (uint)batch;
        parameters.n_ubatch = (uint)microBatch;
        parameters.n_seq_max = sequences == 1 ? 2u : (uint)sequences;
        parameters.kv_unified = sequences == 1;
        parameters.n_threads = threads;
        parameters.n_threads_batch = threads;
        parameters.llama_flash_attn_type = flashAttention switch
        {
            null => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_AUTO,
            true => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_ENABLED,
            false => LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED,
        };
        return parameters;
    }

    public void Dispose()
    {
        Context.Dispose();
        Weights.Dispose();
        Abort.Dispose();
    }
}
