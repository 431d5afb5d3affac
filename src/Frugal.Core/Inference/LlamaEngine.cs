using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Frugal.Inference.Batching;
using Frugal.Inference.Templates;
using Frugal.Models;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Frugal.Inference;

/// <summary>
/// The inference engine over LLamaSharp/llama.cpp: one memory-mapped model, one native context,
/// one generation at a time. Create it with <see cref="LoadAsync"/>.
/// </summary>
public sealed partial class LlamaEngine : IInferenceEngine
{
    private static readonly LLamaSeqId Sequence = LLamaSeqId.Zero;

    // Holds no cells of its own: cells are copied to it only to be saved or restored apart (see SaveHeld).
    private static readonly LLamaSeqId Scratch = (LLamaSeqId)1;

    private readonly SafeLlamaModelHandle _model;
    private readonly SafeLLamaContextHandle _context;
    private readonly AbortSignal _abort;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IChatFormat _format;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, int?> _markerTokens = new(StringComparer.Ordinal);
    private readonly int? _bos;
    private readonly int? _eos;
    private readonly bool _addBos;
    private readonly BatchedGenerator? _batched;
    private int _disposed;

    private LlamaEngine(ModelInfo model, EngineOptions options, IChatFormat format, SafeLlamaModelHandle weights,
        SafeLLamaContextHandle context, int threads, ILogger logger)
    {
        Model = model;
        _options = options;
        _format = format;
        _model = weights;
        _context = context;
        _logger = logger;
        Threads = threads;
        ParallelSequences = options.ParallelSequences;
        ContextSize = checked((int)context.ContextSize) / ParallelSequences;
        _abort = AbortSignal.InstallOn(context);
        var vocab = weights.Vocab;
        _bos = vocab.BOS is { } bos ? (int)bos : null;
        _eos = vocab.EOS is { } eos ? (int)eos : null;
        _addBos = _bos is not null && vocab.ShouldAddBOS;
        _batched = ParallelSequences > 1
            ? new BatchedGenerator(context, weights, _abort, options, ParallelSequences, format.TurnMarkers, RememberReply, logger)
            : null;
    }

    /// <inheritdoc />
    public ModelInfo Model { get; }

    /// <inheritdoc />
    public int ContextSize { get; }

    /// <inheritdoc />
    public ChatTemplateFamily TemplateFamily => _format.Family;

    /// <inheritdoc />
    public int ParallelSequences { get; }

    /// <summary>The start-up measurement that chose <see cref="ParallelSequences"/>; null when it was given.</summary>
    public ParallelMeasurement? ParallelMeasurement { get; private init; }

    /// <summary>Threads used for decoding and prompt evaluation.</summary>
    public int Threads { get; }

    /// <summary>
    /// Validates the model file with Frugal's own GGUF reader, then loads it memory-mapped (no mlock,
    /// CPU only) and creates the context.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, malformed, or llama.cpp refused it.</exception>
    /// <exception cref="ChatTemplateException">The file's chat template is unknown and <see cref="EngineOptions.ChatTemplate"/> names none.</exception>
    public static async Task<LlamaEngine> LoadAsync(EngineOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);
        logger ??= NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();

        // Our reader validates every length, offset and type before llama.cpp sees a byte of the file, and
        // llama.cpp maps the very file we checked (held open), not whatever has the name by then.
        using var pinned = PinnedModelFile.Open(options.ModelPath);
        var info = ModelInfoReader.FromFile(pinned.File);
        var format = ChatFormats.For(ChooseFamily(info, options));
        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var contextSize = options.ContextSize > 0
            ? options.ContextSize
            : Math.Min(info.ContextLength > 0 ? info.ContextLength : 2048, EngineOptions.MaxDefaultContextSize);

        NativeLogRouter.Attach(logger);
        var weights = await Task.Run(() => LoadWeights(options, pinned.LoadPath), ct).ConfigureAwait(false);
        SafeLLamaContextHandle context;
        ParallelMeasurement? measurement = null;
        try
        {
            if (options.ParallelSequences == 0)
            {
                measurement = options.MaxAutoParallelSequences > 1
                    ? await Task.Run(() => MeasureParallel(weights, options, threads, logger), ct).ConfigureAwait(false)
                    : null;
                options = options with { ParallelSequences = measurement?.Chosen ?? 1 };
                if (measurement is not null)
                {
                    EngineLog.ParallelMeasured(logger, measurement.Describe());
                }
            }

            context = CreateContext(weights, options, contextSize, threads);
        }
        catch
        {
            weights.Dispose();
            throw;
        }

        var engine = new LlamaEngine(info, options, format, weights, context, threads, logger) { ParallelMeasurement = measurement };
        EngineLog.Loaded(logger, options.ModelPath, format.Family, engine.ContextSize, threads,
            options.FlashAttention switch { null => "auto", true => "on", false => "off" },
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return engine;
    }

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenize(text).Length;
    }

    /// <inheritdoc />
    public int CountPromptTokens(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return TokenizePrompt(messages).Count;
    }

    /// <summary>Token ids of plain text as it would appear inside a message (no BOS, special tokens not parsed).</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (text.Length == 0)
        {
            return [];
        }

        var tokens = _model.Tokenize(text, false, false, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            ids[i] = (int)tokens[i];
        }

        return ids;
    }

    /// <summary>The prompt for <paramref name="messages"/> as text, with BOS/EOS spelled as the vocabulary spells them (for display and tests).</summary>
    public string RenderPrompt(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var vocab = _model.Vocab;
        return ChatFormats.Render(_format.Format(messages, _addBos),
            _bos is { } bos ? vocab.LLamaTokenToString(bos, true) ?? "" : "",
            _eos is { } eos ? vocab.LLamaTokenToString(eos, true) ?? "" : "");
    }

    /// <summary>
    /// The prompt for <paramref name="messages"/> as token ids: template markers added by the engine
    /// (BOS/EOS by id, markers as special tokens where the vocabulary has them), content tokenized
    /// with special-token parsing off.
    /// </summary>
    public IReadOnlyList<int> TokenizePrompt(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tokens = new List<int>(64);
        var run = new StringBuilder();

        void FlushRun()
        {
            if (run.Length > 0)
            {
                tokens.AddRange(Tokenize(run.ToString()));
                run.Clear();
            }
        }

        foreach (var part in _format.Format(messages, _addBos))
        {
            switch (part.Kind)
            {
                case PromptPartKind.BeginOfSequence when _bos is { } bos:
                    FlushRun();
                    tokens.Add(bos);
                    break;
                case PromptPartKind.EndOfSequence when _eos is { } eos:
                    FlushRun();
                    tokens.Add(eos);
                    break;
                case PromptPartKind.Marker when MarkerToken(part.Text) is { } marker:
                    FlushRun();
                    tokens.Add(marker);
                    break;
                case PromptPartKind.Text when part.ReplyContent is { } reply && _replies.Find(reply) is { } generated:
                    // An earlier reply spelled as the model generated it, so the KV state kept from its turn
                    // still matches (whitespace as generated, even where the template would re-space it).
                    FlushRun();
                    tokens.AddRange(generated);
                    break;
                case PromptPartKind.Marker or PromptPartKind.Text:
                    // Adjacent plain text is tokenized as one run, exactly as llama.cpp splits a
                    // formatted prompt at special tokens, so merges across template/content match.
                    run.Append(part.Text);
                    break;
                default:
                    break;
            }
        }

        FlushRun();
        return tokens;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_batched is not null)
        {
            // The batch loop ends once its running requests end (quickly once their callers cancel).
            await _batched.DisposeAsync().ConfigureAwait(false);
        }

        // Wait for a running generation to finish (it stops quickly once its caller cancels).
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _context.Dispose();
            _model.Dispose();
            _abort.Dispose();
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }

    /// <summary>The id of a template marker when the vocabulary has it as one special token; null when it is plain text there.</summary>
    private int? MarkerToken(string marker) => _markerTokens.GetOrAdd(marker, static (text, model) =>
    {
        var tokens = model.Tokenize(text, false, true, Encoding.UTF8);
        return tokens.Length == 1 && tokens[0].IsControl(model.Vocab) ? (int)tokens[0] : null;
    }, _model);

    private static ChatTemplateFamily ChooseFamily(ModelInfo info, EngineOptions options)
    {
        if (options.ChatTemplate is { } named)
        {
            return named != ChatTemplateFamily.Unknown
                ? named
                : throw new ChatTemplateException("the chat template family to use must be zephyr, llama2 or chatml");
        }

        if (info.ChatTemplateFamily != ChatTemplateFamily.Unknown)
        {
            return info.ChatTemplateFamily;
        }

        var what = info.ChatTemplate is null ? "has no chat template" : "has a chat template of no known family";
        throw new ChatTemplateException($"{info.Path}: the model {what}; name one of zephyr, llama2, chatml (--chat-template NAME)");
    }

    private static void ValidateOptions(EngineOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            throw new ArgumentException("a model path is required", nameof(options));
        }

        if (options.ContextSize < 0 || options.BatchSize <= 0 || options.MicroBatchSize < 0 || options.Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                "context size, micro batch size and threads must be 0 or more, and batch size more than 0");
        }

        if (options.ParallelSequences is < 0 or > EngineOptions.MaxParallelSequences
            || options.MaxAutoParallelSequences is < 1 or > EngineOptions.MaxParallelSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"parallel sequences must be 1 to {EngineOptions.MaxParallelSequences} (0: measured at load, up to the automatic maximum)");
        }
    }

    private static SafeLlamaModelHandle LoadWeights(EngineOptions options, string loadPath)
    {
        // Loads the native library through LLamaSharp's selector (CPU features, log callback) before the
        // first direct native call below.
        NativeApi.llama_empty_call();
        var parameters = LLamaModelParams.Default();
        parameters.n_gpu_layers = 0;

        // Memory-mapped: the weights stay file-backed pages the kernel can drop and re-read, not a
        // private anonymous copy (measured: 113 MiB anonymous instead of 1,228 MiB). No mlock.
        parameters.load_mode = LLamaLoadMode.MemoryMap;
        parameters.use_extra_bufts = options.RepackWeights;
        try
        {
            return SafeLlamaModelHandle.LoadFromFile(loadPath, parameters);
        }
        catch (LoadWeightsFailedException e)
        {
            throw new ModelFileException(options.ModelPath, "llama.cpp could not load the model", e);
        }
    }

    // A measurement that cannot run (no memory for the small probe context, say) leaves batching off.
    private static ParallelMeasurement? MeasureParallel(SafeLlamaModelHandle weights, EngineOptions options, int threads, ILogger logger)
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

    private static SafeLLamaContextHandle CreateContext(SafeLlamaModelHandle weights, EngineOptions options, int contextSize, int threads)
    {
        // With several sequences each gets the whole context size of its own: a non-unified KV cache
        // gives every sequence its own stream of n_ctx / n_seq_max cells, so one session's cells are laid
        // out exactly as in a single-sequence context (and no session can crowd out another's room).
        var microBatch = options.MicroBatchSize > 0 ? Math.Min(options.MicroBatchSize, options.BatchSize) : options.BatchSize;
        var parameters = ContextParameters(checked(contextSize * options.ParallelSequences), options.BatchSize, microBatch,
            options.ParallelSequences, threads, options.FlashAttention);
        try
        {
            return weights.CreateContext(parameters);
        }
        catch (RuntimeError e)
        {
            throw new InvalidOperationException($"llama.cpp could not create a context of {contextSize} tokens × {options.ParallelSequences} sequence(s): {e.Message}", e);
        }
    }
}
