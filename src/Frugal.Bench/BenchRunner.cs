using System.Diagnostics;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Scheduling;

namespace Frugal.Bench;

/// <summary>
/// Runs <c>frugal bench</c>'s measurements in one process: Frugal's engine first (load, chats, concurrent
/// clients, with the memory peak read before anything else is loaded), then prompt and decode speed
/// alternating with plain LLamaSharp on the same file, so both see the same machine at the same time.
/// </summary>
public sealed partial class BenchRunner
{
    private readonly BenchOptions _options;
    private readonly Func<CancellationToken, Task<IInferenceEngine>> _loadEngine;
    private readonly Func<IInferenceEngine, IGenerationScheduler>? _createScheduler;
    private readonly IProgress<string> _progress;

    /// <param name="options">What to measure.</param>
    /// <param name="loadEngine">Loads Frugal's engine for <see cref="BenchOptions.ModelPath"/> (timed as the load).</param>
    /// <param name="createScheduler">Puts concurrent clients through the server's scheduler; null sends them straight to the engine.</param>
    /// <param name="progress">Receives one line per step.</param>
    public BenchRunner(BenchOptions options, Func<CancellationToken, Task<IInferenceEngine>> loadEngine,
        Func<IInferenceEngine, IGenerationScheduler>? createScheduler = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loadEngine);
        _options = options;
        _loadEngine = loadEngine;
        _createScheduler = createScheduler;
        _progress = progress ?? new Progress<string>();
    }

    /// <summary>Measures everything; <paramref name="box"/> and <paramref name="cgroupDirectory"/> say where it runs.</summary>
    public async Task<BenchReport> RunAsync(BenchBox? box = null, string? cgroupDirectory = null, CancellationToken cancellationToken = default)
    {
        if (cgroupDirectory is not null)
        {
            PageCache.Drop(_options.ModelPath);
        }

        using var memory = new MemoryPeakSampler(cgroupDirectory);
        WarmFileCache(_options.ModelPath);

        var started = Stopwatch.GetTimestamp();
        var engine = await _loadEngine(cancellationToken).ConfigureAwait(false);
        await using var engineLease = engine.ConfigureAwait(false);
        var loadMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _progress.Report($"load: {loadMs:F0} ms");
        var weightPages = (engine as LlamaEngine)?.WeightPages;
        if (weightPages is not null)
        {
            _progress.Report(weightPages.Describe());
        }

        var repackedPages = (engine as LlamaEngine)?.RepackedPages;
        if (repackedPages is { RepackedBytes: > 0 })
        {
            _progress.Report(repackedPages.Describe());
        }

        await GenerateAsync(engine, Request(BenchText.OfTokens(8, 1, engine.CountTokens), 2), cancellationToken).ConfigureAwait(false);

        var (single, interleaved) = await ChatRoundsAsync(engine, cancellationToken).ConfigureAwait(false);
        var aggregate = await ClientsAsync(engine, cancellationToken).ConfigureAwait(false);
        var longChat = _options.LongChatTurns > 0
            ? await new LongChatBench(_options, _progress).RunAsync(engine, cancellationToken).ConfigureAwait(false)
            : null;

        // Frugal's own peak, read before the baseline adds its context to the process.
        var (peak, peakAnonymous, peakFile) = memory.Peaks();
        var peakSource = memory.Source;
        // The sampler's timer stops here: it would wake on the one core of the box every 50 ms of the speed rounds.
        memory.Dispose();
        _progress.Report($"peak memory: {peak / 1048576.0:F0} MiB ({peakSource}), anonymous {peakAnonymous / 1048576.0:F0} MiB, file-backed {peakFile / 1048576.0:F0} MiB");

        var (prompt, decode, baseline, batched, ceiling) = await SpeedAgainstBaselineAsync(engine, cancellationToken).ConfigureAwait(false);
        var grammar = await GrammarDecodeAsync(engine, cancellationToken).ConfigureAwait(false);
        ReportCeiling(ceiling);
        return new BenchReport
        {
            Date = DateTimeOffset.UtcNow,
            Options = _options,
            Machine = MachineDescription.Read(),
            ModelPath = _options.ModelPath,
            ModelDescription = $"{engine.Model.Architecture} {engine.Model.ParameterCount / 1e9:F2}B {engine.Model.FileType}, {engine.Model.FileSizeBytes / 1048576.0:F0} MiB",
            ContextSize = engine.ContextSize,
            Threads = Environment.ProcessorCount,
            ClientPath = _createScheduler is null ? "engine" : "scheduler",
            LoadMs = loadMs,
            PromptTokensPerSecond = prompt,
            DecodeTokensPerSecond = decode,
            Baseline = baseline,
            TtftSingleMs = single.Ttft[0],
            TtftInterleavedMs = interleaved.Ttft,
            CachedTokensSingle = single.Cached[0],
            CachedTokensInterleaved = interleaved.Cached,
            AggregateDecodeTokensPerSecond = aggregate,
            BatchedDecodeTokensPerSecond = batched,
            PeakMemoryBytes = peak,
            PeakAnonymousBytes = peakAnonymous,
            PeakFileBytes = peakFile,
            PeakMemorySource = peakSource,
            Box = box,
            Ceiling = ceiling,
            WeightPages = weightPages,
            RepackedPages = repackedPages,
            LongChat = longChat,
            Grammar = grammar,
        };
    }

    /// <summary>The single and the interleaved chats, each the median over the chat rounds.</summary>
    private async Task<(ChatFigures Single, ChatFigures Interleaved)> ChatRoundsAsync(IInferenceEngine engine, CancellationToken cancellationToken)
    {
        var singles = new List<ChatFigures>();
        var interleavings = new List<ChatFigures>();
        for (var round = 0; _options.Chats && round < Math.Max(1, _options.ChatRounds); round++)
        {
            singles.Add(await ChatAsync(engine, 1, "single", round, cancellationToken).ConfigureAwait(false));
            interleavings.Add(await ChatAsync(engine, _options.InterleavedSessions, "interleaved", round, cancellationToken).ConfigureAwait(false));
        }

        return (ChatFigures.Median(singles), ChatFigures.Median(interleavings));
    }

    /// <summary>The read-bandwidth ceiling of the model's decode on this machine, and how near both engines came to it round by round.</summary>
    private void ReportCeiling(CeilingRounds rounds)
    {
        var ceiling = rounds.Typical;
        _progress.Report($"bandwidth ceiling (median of {rounds.Rounds.Count} round(s)): {ceiling.ReadBytesPerSecond / 1e9:F2} GB/s over {ceiling.Reads.Describe()}, {ceiling.BytesPerToken / 1048576.0:F0} MiB a token: {ceiling.TokensPerSecond:F1} tok/s; decode reaches {rounds.DecodeFraction:F2} of its round's ceiling (median)");
        _progress.Report($"bandwidth ceiling per CPU second: {ceiling.ReadBytesPerCpuSecond / 1e9:F2} GB/s: {ceiling.CpuTokensPerSecond:F1} tok/s; plain LLamaSharp's decode per CPU second reaches {rounds.BaselineCpuFraction:F2} of its round's (median)");
        _progress.Report($"read patterns per CPU second (fastest {ceiling.FastestPattern}): {string.Join(", ", ceiling.PatternReadBytesPerCpuSecond.Select(p => $"{p.Key} {p.Value / 1e9:F2} GB/s"))}");
    }

    private async Task<(double Prompt, double Decode, BenchBaseline Baseline, IReadOnlyDictionary<int, double> Batched, CeilingRounds Ceiling)> SpeedAgainstBaselineAsync(
        IInferenceEngine engine, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var baseline = PlainLlamaSharpBaseline.Load(_options.ModelPath, engine.ContextSize, Environment.ProcessorCount);
        var baselineLoadMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _progress.Report($"baseline load: {baselineLoadMs:F0} ms");
        if ((engine as LlamaEngine)?.RepackedPages is { ReleasedBytes: > 0 } released)
        {
            _progress.Report($"after the baseline's load: {ReleaseRepackedPagesAgain(_options.ModelPath, released).Describe()}");
        }
        baseline.MeasureDecode(baseline.Tokenize("warm up"), 2);

        var prompts = new List<(double Frugal, double Baseline)>();
        var decodes = new List<(double Frugal, double Baseline)>();
        var ceilings = new List<CeilingRound>();
        for (var round = 0; round < _options.Rounds; round++)
        {
            // ABBA: whoever went first in one round goes second in the next; decode goes in the opposite order to
            // the prompt, so each side is first once per round.
            var baselineFirst = round % 2 == 0;
            prompts.Add(await PromptRoundAsync(engine, baseline, round, baselineFirst, cancellationToken).ConfigureAwait(false));
            // The ceiling right before the round's decodes: the machine's bandwidth moves from minute to minute.
            var ceiling = BandwidthCeiling.Measure(_options.ModelPath, repacked: engine.Model.RepackedTensorBytes > 0,
                repackedHugePages: (engine as LlamaEngine)?.WeightPages.RepackedHugeBytes > 0);
            var (frugal, plain, plainPerCpuSecond) = await DecodeRoundAsync(engine, baseline, round, !baselineFirst, cancellationToken).ConfigureAwait(false);
            decodes.Add((frugal, plain));
            ceilings.Add(new CeilingRound(ceiling, frugal, plainPerCpuSecond));
            _progress.Report($"ceiling round {round + 1}: {ceiling.ReadBytesPerSecond / 1e9:F2} GB/s ({ceiling.HugeBytes / 1048576.0:F0} MiB read from 2 MiB pages), {ceiling.TokensPerSecond:F1} tok/s; frugal's decode {ceilings[^1].DecodeFraction:F2} of it");
        }

        var batched = BatchedBaseline(engine, baseline);

        // The floor of a follow-up turn: plain LLamaSharp keeping its own cache, paired turn by turn with Frugal.
        var paired = _options.Chats ? await PairedFollowUpsAsync(engine, baseline, cancellationToken).ConfigureAwait(false) : null;

        return (Median(prompts.Select(p => p.Frugal)), Median(decodes.Select(d => d.Frugal)),
            new BenchBaseline(baselineLoadMs, Median(prompts.Select(p => p.Baseline)), Median(decodes.Select(d => d.Baseline)))
            {
                FollowUps = paired,
                PromptRatio = Median(prompts.Select(p => p.Frugal / p.Baseline)),
                DecodeRatio = Median(decodes.Select(d => d.Frugal / d.Baseline)),
                DecodeTokensPerCpuSecond = Median(ceilings.Select(c => c.BaselineDecodeTokensPerCpuSecond)),
            }, batched, new CeilingRounds(ceilings));
    }

    /// <summary>
    /// Gives back again the file pages of the repacked weights that plain LLamaSharp's load has just read back into the
    /// page cache (its llama.cpp repacks the same matrices and, like Frugal's engine, never reads those pages again).
    /// Kept, they and the ceiling's anonymous copy of the repacked weights fill a 2 GiB box, and the kernel reclaims
    /// the mapped weights' 2 MiB pages: TinyLlama Q4_K_M's box reached 2048 MiB and the ceiling then read 56 instead of
    /// 248 MiB from 2 MiB pages.
    /// </summary>
    internal static RepackedPageRelease ReleaseRepackedPagesAgain(string modelPath, RepackedPageRelease released)
    {
        using var pinned = PinnedModelFile.Open(modelPath);
        return RepackedPageRelease.Run(pinned, released.PageBytes >= PageCache.HugePageBytes);
    }

    /// <summary>One prompt round, both sides in the order given: Frugal's and plain LLamaSharp's prompt rates.</summary>
    private async Task<(double Frugal, double Baseline)> PromptRoundAsync(IInferenceEngine engine, PlainLlamaSharpBaseline baseline, int round,
        bool baselineFirst, CancellationToken cancellationToken)
    {
        var text = PromptOfTokens(engine, _options.PromptTokens, 500 + round);

        // The baseline's prompt is as long as Frugal's formatted one: llama.cpp attends over the cache in
        // steps of 256 cells, so a 512-token prompt against a 516-token one would measure that step, not Frugal.
        var length = engine.CountPromptTokens([new ChatTurn(ChatRole.User, text)]);
        var frugal = 0.0;
        var plain = 0.0;
        for (var side = 0; side < 2; side++)
        {
            if ((side == 0) == baselineFirst)
            {
                plain = baseline.MeasurePrompt(Fit(baseline.Tokenize(text), length));
            }
            else
            {
                var stats = await GenerateAsync(engine, Request(text, 1), cancellationToken).ConfigureAwait(false);
                frugal = (stats.PromptTokens - stats.CachedPromptTokens) / stats.TimeToFirstToken.TotalSeconds;
            }
        }

        _progress.Report($"prompt round {round + 1}: frugal {frugal:F1} tok/s, baseline {plain:F1} tok/s");
        return (frugal, plain);
    }

    /// <summary>One decode round, both sides in the order given: Frugal's and plain LLamaSharp's decode rates (the latter also per CPU second).</summary>
    private async Task<(double Frugal, double Baseline, double BaselinePerCpuSecond)> DecodeRoundAsync(IInferenceEngine engine, PlainLlamaSharpBaseline baseline,
        int round, bool baselineFirst, CancellationToken cancellationToken)
    {
        var text = BenchText.OfTokens(12, 700 + round, engine.CountTokens);
        var frugal = 0.0;
        DecodeRate plain = default;
        for (var side = 0; side < 2; side++)
        {
            if ((side == 0) == baselineFirst)
            {
                plain = baseline.MeasureDecode(baseline.Tokenize(text), _options.DecodeTokens);
            }
            else
            {
                var stats = await GenerateAsync(engine, Request(text, _options.DecodeTokens), cancellationToken).ConfigureAwait(false);
                frugal = stats.DecodeTokensPerSecond;
            }
        }

        _progress.Report($"decode round {round + 1}: frugal {frugal:F1} tok/s, baseline {plain.TokensPerSecond:F1} tok/s");
        return (frugal, plain.TokensPerSecond, plain.TokensPerCpuSecond);
    }

    /// <summary>Plain LLamaSharp decoding each of the client counts' sequences together in one batch: tokens/s of all of them.</summary>
    private SortedDictionary<int, double> BatchedBaseline(IInferenceEngine engine, PlainLlamaSharpBaseline baseline)
    {
        var batched = new SortedDictionary<int, double>();
        var prompt = baseline.Tokenize(BenchText.OfTokens(24, 900, engine.CountTokens));
        foreach (var sequences in _options.ClientCounts)
        {
            batched[sequences] = baseline.MeasureBatchedDecode(prompt, sequences, _options.ClientTokens);
            _progress.Report($"{sequences} sequences in one batch: {batched[sequences]:F1} tok/s together");
        }

        return batched;
    }

    private static GenerationRequest Request(string userText, int maxTokens) => BenchTurn.Request([new ChatTurn(ChatRole.User, userText)], maxTokens);

    /// <summary>A user message whose whole formatted prompt has at least <paramref name="tokens"/> tokens.</summary>
    private static string PromptOfTokens(IInferenceEngine engine, int tokens, int seed) =>
        BenchText.OfTokens(tokens, seed, text => engine.CountPromptTokens([new ChatTurn(ChatRole.User, text)]));

    /// <summary>Exactly <paramref name="count"/> tokens: the first ones, repeated if there are too few.</summary>
    private static int[] Fit(int[] tokens, int count) => [.. Enumerable.Range(0, count).Select(i => tokens[i % tokens.Length])];

    private static async Task<GenerationStats> GenerateAsync(IInferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken) =>
        (await BenchTurn.RunAsync(engine, request, cancellationToken).ConfigureAwait(false)).Stats;

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Reads the model file once so Frugal's load and the baseline's load both find it in the page cache.</summary>
    private static void WarmFileCache(string path)
    {
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        while (stream.Read(buffer) > 0)
        {
        }
    }
}
