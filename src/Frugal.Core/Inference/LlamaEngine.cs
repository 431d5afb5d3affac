using System.Diagnostics;
using System.Runtime.CompilerServices;
using Frugal.Inference.Batching;
using Frugal.Inference.Templates;
using Frugal.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Frugal.Inference;

/// <summary>
/// The inference engine over LLamaSharp/llama.cpp: one memory-mapped model, one native context, and one
/// decode loop serving <see cref="ParallelSequences"/> sequences (1: one generation at a time). Create it
/// with <see cref="LoadAsync(EngineOptions, ILogger?, CancellationToken)"/>.
/// </summary>
public sealed class LlamaEngine : IInferenceEngine
{
    private readonly LlamaRuntime _runtime;
    private readonly PromptTokenizer _tokenizer;
    private readonly DecodeLoop _loop;
    private readonly IChatFormat _format;
    private readonly bool _prepareNextTurn;
    private int _disposed;

    private LlamaEngine(ModelInfo model, EngineOptions options, ParallelMeasurement? measurement, IChatFormat format, LlamaRuntime runtime, int threads,
        StepTimer stepTimer, ILogger logger)
    {
        Model = model;
        _format = format;
        _runtime = runtime;
        _prepareNextTurn = options.PrepareNextTurn;
        Threads = threads;
        ParallelSequences = runtime.Sequences;
        ContextSize = runtime.SequenceContextSize;
        _tokenizer = new PromptTokenizer(runtime.Weights, format);
        ParallelMeasurement = measurement;
        StreamFloorTokensPerSecond = options.StreamFloorTokensPerSecond;
        PrefillHorizonTokens = options.PrefillHorizonTokens;
        _loop = new DecodeLoop(runtime, options, measurement, format.TurnMarkers, _tokenizer.RememberReply, stepTimer, logger);
    }

    /// <inheritdoc />
    public ModelInfo Model { get; }

    /// <inheritdoc />
    public int ContextSize { get; }

    /// <inheritdoc />
    public ChatTemplateFamily TemplateFamily => _format.Family;

    /// <inheritdoc />
    public int ParallelSequences { get; }

    /// <summary>The model file's pages at the load: how much of it is in 2 MiB pages, and what was done (<see cref="EngineOptions.HugePages"/>).</summary>
    public HugePageReport WeightPages { get; private init; } = HugePageReport.Off;

    /// <summary>What the load gave back of the file's pages its repacked weights were read from (<see cref="EngineOptions.ReleaseRepackedPages"/>).</summary>
    public RepackedPageRelease RepackedPages { get; private init; } = RepackedPageRelease.None;

    /// <summary>The start-up measurement that chose <see cref="ParallelSequences"/>; null when it was given.</summary>
    public ParallelMeasurement? ParallelMeasurement { get; }

    /// <inheritdoc />
    public int StreamLimit => _loop.StreamLimit;

    /// <inheritdoc />
    public IReadOnlyList<StreamFigures> Streams => _loop.Streams;

    /// <summary>The slowest a running reply may become because others joined it (tokens/s).</summary>
    public double StreamFloorTokensPerSecond { get; }

    /// <summary>Reply tokens ahead over which a joining prompt may use running replies' time in hand (0: no pacing).</summary>
    public int PrefillHorizonTokens { get; }

    /// <summary>Prompt tokens a joining request evaluates per step beside running replies.</summary>
    public int PrefillChunkTokens => _loop.PrefillChunkTokens;

    /// <summary>Threads used for decoding and prompt evaluation.</summary>
    public int Threads { get; }

    /// <summary>The most sequences one decode step has carried so far (for tests).</summary>
    internal int PeakStepSequences => _loop.PeakStepSequences;

    /// <summary>Tokens the first sequence holds now (for tests and diagnostics).</summary>
    internal int HeldTokenCount => _loop.FirstSlotTokens;

    /// <summary>Bytes held by the memory of recent replies' token ids (for tests and diagnostics).</summary>
    internal long ReplyMemoryBytes => _tokenizer.ReplyMemoryBytes;

    /// <summary>
    /// Validates the model file with Frugal's own GGUF reader, then loads it memory-mapped (no mlock,
    /// CPU only) and creates the context.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, malformed, or llama.cpp refused it.</exception>
    /// <exception cref="ChatTemplateException">The file's chat template is unknown and <see cref="EngineOptions.ChatTemplate"/> names none.</exception>
    public static Task<LlamaEngine> LoadAsync(EngineOptions options, ILogger? logger = null, CancellationToken ct = default) =>
        LoadAsync(options, StepTimer.Wall, logger, ct);

    /// <summary>
    /// <see cref="LoadAsync(EngineOptions, ILogger?, CancellationToken)"/> with the timer of decode steps behind
    /// <see cref="StreamLimit"/>, and the prefill pacing (tests give one whose steps cost a known time on any CPU).
    /// </summary>
    internal static async Task<LlamaEngine> LoadAsync(EngineOptions options, StepTimer stepTimer, ILogger? logger = null, CancellationToken ct = default)
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

        NativeLibrarySelection.Apply(options.NativeLibrary);
        NativeLogRouter.Attach(logger);
        var (weights, repack, pages) = await Task.Run(() => LlamaRuntime.LoadWeights(options, pinned), ct).ConfigureAwait(false);
        if (options.HugePages && PageCache.MappedName(pinned.Handle) is { } mapped)
        {
            // Pages reclaimed from llama.cpp's mapping later come back in 2 MiB pages too.
            var (resident, huge) = PageCache.AdviseHugePages(mapped);
            pages = pages with { MappedResidentBytes = resident, MappedHugeBytes = huge };
        }

        LlamaRuntime runtime;
        ParallelMeasurement? measurement = null;
        var released = RepackedPageRelease.None;
        try
        {
            // Before the context and the batch measurement allocate: they take the room these pages held.
            if (repack && options.ReleaseRepackedPages)
            {
                released = RepackedPageRelease.Run(pinned, pages.MappedHugeBytes > 0);
            }

            if (options.ParallelSequences == 0)
            {
                measurement = options.MaxAutoParallelSequences > 1
                    ? await Task.Run(() => LlamaRuntime.MeasureParallel(weights, options, threads, logger), ct).ConfigureAwait(false)
                    : null;
                options = options with { ParallelSequences = measurement?.Chosen ?? 1 };
                if (measurement is not null)
                {
                    EngineLog.ParallelMeasured(logger, measurement.Describe());
                }
            }

            runtime = LlamaRuntime.Create(weights, options, contextSize, threads);
        }
        catch
        {
            weights.Dispose();
            throw;
        }

        info = info with { RepackedTensorBytes = repack ? RepackedWeights.Bytes(pinned.File, RepackedWeights.LlamaCppTypes) : 0 };
        var engine = new LlamaEngine(info, options, measurement, format, runtime, threads, stepTimer, logger) { WeightPages = pages, RepackedPages = released };
        EngineLog.WeightPages(logger, pages.Describe());
        if (repack)
        {
            EngineLog.RepackedPagesReleased(logger, options.ReleaseRepackedPages ? released.Describe() : "repacked weights' file pages: left cached (Model:ReleaseRepackedPages=false)");
        }
        EngineLog.NativeLibraryLoaded(logger, NativeLibrarySelection.Applied ?? NativeLibrarySelection.Auto, NativeLibrarySelection.LoadedCpuBackend() ?? "unknown",
            info.FileType, repack ? "repacked" : "memory-mapped as they are", options.RepackWeights is null ? "auto" : repack ? "on" : "off");
        EngineLog.Loaded(logger, options.ModelPath, format.Family, engine.ContextSize, threads,
            options.FlashAttention switch { null => "auto", true => "on", false => "off" },
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return engine;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Cancellation never throws out of the stream: whether it arrives while waiting for a slot, during
    /// the prompt evaluation (llama.cpp's abort callback interrupts it) or between tokens, the stream ends
    /// with a completed update whose finish reason is <see cref="FinishReason.Cancelled"/>; no text is
    /// emitted after the cancellation is seen. Argument problems throw on the first <c>MoveNextAsync</c>:
    /// <see cref="ArgumentException"/> for an empty conversation or a non-positive token limit,
    /// <see cref="PromptTooLongException"/> when the prompt leaves no room for a reply. Time to first token
    /// counts from the first <c>MoveNextAsync</c>, waiting included.
    /// </remarks>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(request, promptOnly: false, cancellationToken);
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

    /// <inheritdoc />
    public int CountPromptTokens(RawPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _tokenizer.TokenizeRaw(prompt).Count;
    }

    /// <summary>Token ids of plain text as it would appear inside a message (no BOS, special tokens not parsed).</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _tokenizer.Tokenize(text);
    }

    /// <summary>The prompt for <paramref name="messages"/> as text, with BOS/EOS spelled as the vocabulary spells them (for display and tests).</summary>
    public string RenderPrompt(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _tokenizer.Render(messages);
    }

    /// <summary>
    /// The prompt for <paramref name="messages"/> as token ids: template markers added by the engine
    /// (BOS/EOS by id, markers as special tokens where the vocabulary has them), content tokenized
    /// with special-token parsing off.
    /// </summary>
    public IReadOnlyList<int> TokenizePrompt(IReadOnlyList<ChatTurn> messages) => TokenizePrompt(messages, owner: null);

    /// <summary>The prompt as <paramref name="owner"/>'s request is tokenized: their earlier replies spelled as generated (tests compare a session's cells with it).</summary>
    internal IReadOnlyList<int> TokenizePrompt(IReadOnlyList<ChatTurn> messages, string? owner)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _tokenizer.TokenizePrompt(messages, owner);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The loop ends once its running requests end (quickly once their callers cancel).
        await _loop.DisposeAsync().ConfigureAwait(false);
        _runtime.Dispose();
    }

    /// <summary>What the sequence holding <paramref name="session"/> holds now (tests check a shifted cache through it).</summary>
    internal Task<SlotView?> InspectSessionAsync(string session) => _loop.InspectAsync(session);

    /// <summary>Shifted sequences laid out afresh so far (tests check that this happens only while idle).</summary>
    internal int ShiftCompactions => _loop.ShiftCompactions;

    /// <summary>Runs <paramref name="work"/> on the decode loop's thread once no request runs or waits (tests hold the loop with it).</summary>
    internal Task RunWhenIdleAsync(Action work) => _loop.WhenIdleAsync(work);

    /// <summary>Empties the context so the next prompt is evaluated from scratch (tests compare against it).</summary>
    internal Task ClearContextAsync() => _loop.ClearAsync();

    /// <summary>
    /// Evaluates the prompt of <paramref name="messages"/> alone, under <paramref name="cancellationToken"/>;
    /// a token cancelled beforehand reaches llama.cpp's abort callback inside the first decode (a test seam).
    /// </summary>
    internal async Task<bool> EvaluateOnlyAsync(IReadOnlyList<ChatTurn> messages, string? session, CancellationToken cancellationToken)
    {
        var request = new GenerationRequest { Messages = messages, SessionKey = session, MaxTokens = 1 };
        GenerationStats? stats = null;
        await foreach (var update in RunAsync(request, promptOnly: true, cancellationToken).ConfigureAwait(false))
        {
            stats = update.Completed ?? stats;
        }

        return stats?.FinishReason == FinishReason.Stop;
    }

    private async IAsyncEnumerable<GenerationUpdate> RunAsync(GenerationRequest request, bool promptOnly,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("the conversation has no messages", nameof(request));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxTokens, nameof(request));
        var started = Stopwatch.GetTimestamp();
        _tokenizer.RestoreReplies(request.Messages, request.Owner);
        var prompt = request.Raw is { } raw ? _tokenizer.TokenizeRaw(raw) : _tokenizer.TokenizePrompt(request.Messages, request.Owner);
        if (prompt.Count == 0)
        {
            throw new ArgumentException("the prompt has no tokens", nameof(request));
        }

        if (prompt.Count >= ContextSize)
        {
            throw new PromptTooLongException(prompt.Count, ContextSize);
        }

        var tally = new GenerationTally(prompt.Count, started) { Tokenized = Stopwatch.GetTimestamp() };
        var job = new SlotJob(prompt, request, tally, Math.Min(request.MaxTokens, ContextSize - prompt.Count), cancellationToken)
        {
            PromptOnly = promptOnly,
            CancelInsideDecode = promptOnly,
        };
        var reply = new System.Text.StringBuilder();
        GenerationStats? stats = null;
        await foreach (var update in _loop.GenerateAsync(job, cancellationToken).ConfigureAwait(false))
        {
            reply.Append(update.Text);
            stats = update.Completed ?? stats;
            yield return update;
        }

        if (_prepareNextTurn && !promptOnly && request.Raw is null && request.SessionKey is { } session && stats?.FinishReason is FinishReason.Stop or FinishReason.Length)
        {
            // The next turn's separator is evaluated while the loop is idle (never ahead of a waiting request).
            _loop.PrepareNextTurn(session, _tokenizer.NextTurnPrefix(request.Messages, reply.ToString(), request.Owner));
        }
    }

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

        if (options.StreamFloorTokensPerSecond is not (> 0 and <= 10_000) || options.PrefillChunkTokens is < 0 or (> 0 and < EngineOptions.MinPrefillChunkTokens)
            || options.PrefillHorizonTokens is < 0 or > EngineOptions.MaxPrefillHorizonTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"the stream floor must be more than 0 and at most 10000 tokens/s, the prefill chunk 0 (chosen) or at least {EngineOptions.MinPrefillChunkTokens} tokens, and the prefill horizon 0 to {EngineOptions.MaxPrefillHorizonTokens} tokens");
        }

        if (options.ParallelSequences is < 0 or > EngineOptions.MaxParallelSequences
            || options.MaxAutoParallelSequences is < 1 or > EngineOptions.MaxParallelSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"parallel sequences must be 1 to {EngineOptions.MaxParallelSequences} (0: measured at load, up to the automatic maximum)");
        }

        if (NativeLibrarySelection.Problem(options.NativeLibrary) is { } problem)
        {
            throw new ArgumentException($"native library {problem}", nameof(options));
        }
    }
}
