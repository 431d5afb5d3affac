using System.Globalization;
using Frugal.Models;

namespace Frugal.Memory;

/// <summary>
/// Chooses context size, batch and micro-batch size, threads and parallel sequences from the model's
/// shape, the CPU quota and the memory limit, so that the loaded server stays below the medium pressure
/// line; values the operator gave are kept and only checked. Also the planner's start-up check: a model
/// or context that cannot fit under the emergency line is refused with the figures.
/// </summary>
public static class AutoConfigurator
{
    /// <summary>What the server adds to the estimate: ASP.NET Core, Kestrel, SQLite, the managed heap's working set.</summary>
    public const long ServerOverheadBytes = 64L << 20;

    /// <summary>Longest context chosen by default: prompt evaluation runs ≈45 tokens/s on one core, so 4096 tokens already take 90 s.</summary>
    public const int MaxAutoContextSize = 4096;

    /// <summary>Shortest context chosen by default.</summary>
    public const int MinAutoContextSize = 256;

    private const long MiB = 1024 * 1024;
    private static readonly int[] MicroBatchCandidates = [512, 256, 128];

    /// <summary>Chooses the settings for <paramref name="model"/> in this box.</summary>
    public static AutoConfiguration Choose(ModelInfo model, CpuSnapshot cpu, MemorySnapshot memory, BoxSettings? overrides = null, MemoryGovernorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(memory);
        overrides ??= new BoxSettings();
        options ??= new MemoryGovernorOptions();
        var reasons = new List<string>();

        var threads = overrides.Threads ?? cpu.ComputeThreads;
        reasons.Add(overrides.Threads is not null
            ? F($"threads {threads}: given")
            : F($"threads {threads}: {cpu.EffectiveCores:0.##} effective core(s) ({cpu.AllowedCpus} allowed, quota {(cpu.QuotaCores is { } q ? q.ToString("0.##", CultureInfo.InvariantCulture) : "none")})"));
        var parallel = overrides.ParallelSequences ?? 1;
        if (overrides.ParallelSequences is not null)
        {
            reasons.Add(F($"parallel sequences {parallel}: given"));
        }

        var lines = MemoryLines.Of(memory, options);
        var fit = ChooseContext(model, overrides, parallel, lines);
        var choice = fit.Choice;
        var e = choice.Estimate;
        var requiredBytes = e.TotalBytes + ServerOverheadBytes;
        var parts = F($"{e.DescribeWeights()} + KV {e.KvCacheBytes / MiB} + compute {e.ComputeBytes / MiB} + runtime {e.RuntimeBytes / MiB} + server {ServerOverheadBytes / MiB} MiB");
        var batch = overrides.BatchSize ?? Math.Max(choice.MicroBatch, Math.Min(512, choice.Context));
        var where = fit.Comfortable
            ? F($"needs {requiredBytes / MiB} MiB ({parts}), below the medium line ({options.MediumThreshold:P0}) of the {memory.LimitBytes / MiB} MiB limit")
            : F($"needs {requiredBytes / MiB} MiB ({parts}); only fits above the medium line ({options.MediumThreshold:P0}) of the {memory.LimitBytes / MiB} MiB limit, so the server starts under pressure");
        reasons.AddRange(SizeReasons(model, overrides, choice, batch, where));
        var maxAuto = 1;
        if (overrides.ParallelSequences is null)
        {
            maxAuto = MaxParallelThatFits(model, choice.Context, choice.MicroBatch, lines.Comfortable);
            reasons.Insert(1, AutoParallelReason(model, choice, maxAuto));
        }

        // At the peak of the load the engine may hold the KV of as many sequences as it keeps: up to the most the plan allows.
        var atLoad = maxAuto > 1 ? MemoryEstimator.Estimate(model, choice.Context, choice.MicroBatch, maxAuto) : e;
        var loadPeakBytes = atLoad.LoadPeakBytes + ServerOverheadBytes;
        if (e.RepackedWeightsBytes > 0)
        {
            reasons.Add(LoadReason(e, maxAuto, loadPeakBytes, memory.LimitBytes - lines.Others));
        }

        return new AutoConfiguration
        {
            ContextSize = choice.Context,
            BatchSize = batch,
            MicroBatchSize = choice.MicroBatch,
            Threads = threads,
            ParallelSequences = parallel,
            MaxAutoParallelSequences = maxAuto,
            Estimate = e,
            RequiredBytes = requiredBytes,
            LoadPeakBytes = loadPeakBytes,
            LimitBytes = memory.LimitBytes,
            OthersBytes = lines.Others,
            Fits = fit.Fits,
            Reasons = reasons,
            Refusal = fit.Fits ? null : Refuse(model, e, requiredBytes, lines.Others, memory.LimitBytes, options, parts, overrides, parallel),
        };
    }

    // The longest context (and, at it, the largest micro-batch) that fits below the medium line; failing that, below
    // the high line; failing that, the leanest below the emergency line; failing all, the leanest there is.
    private static ContextFit ChooseContext(ModelInfo model, BoxSettings overrides, int parallel, MemoryLines lines)
    {
        var contexts = overrides.ContextSize is { } givenContext
            ? [givenContext]
            : Candidates(Math.Min(model.ContextLength > 0 ? model.ContextLength : 2048, MaxAutoContextSize));
        Candidate? comfortable = null, high = null, emergency = null;
        foreach (var context in contexts)
        {
            foreach (var micro in overrides.MicroBatchSize is { } m ? [m] : MicroBatchCandidates.Where(c => c <= Math.Max(context, MicroBatchCandidates[^1])))
            {
                var candidate = new Candidate(context, micro, MemoryEstimator.Estimate(model, context, micro, parallel));
                var required = candidate.Estimate.TotalBytes + ServerOverheadBytes;
                if (comfortable is null && required <= lines.Comfortable)
                {
                    comfortable = candidate;
                }

                if (high is null && required <= lines.High)
                {
                    high = candidate;
                }

                // Above the high line the settings should be as lean as they go: keep the last (smallest) that fits.
                if (required <= lines.Emergency)
                {
                    emergency = candidate;
                }
            }

            if (comfortable is not null)
            {
                break;
            }
        }

        var leanestMicro = overrides.MicroBatchSize ?? MicroBatchCandidates[^1];
        var choice = comfortable ?? high ?? emergency
            ?? new Candidate(contexts[^1], leanestMicro, MemoryEstimator.Estimate(model, contexts[^1], leanestMicro, parallel));
        return new ContextFit(choice, comfortable is not null, comfortable is not null || emergency is not null);
    }

    private static IEnumerable<string> SizeReasons(ModelInfo model, BoxSettings overrides, Candidate choice, int batch, string where)
    {
        yield return overrides.ContextSize is not null
            ? F($"context {choice.Context}: given; {where}")
            : F($"context {choice.Context}: the longest of the model's {model.ContextLength} (capped at {MaxAutoContextSize}) that {where}");
        yield return overrides.MicroBatchSize is not null
            ? F($"micro-batch {choice.MicroBatch}: given")
            : F($"micro-batch {choice.MicroBatch}: sets the compute buffer ({choice.Estimate.ComputeBytes / MiB} MiB); the largest that fits");
        yield return overrides.BatchSize is not null ? F($"batch {batch}: given") : F($"batch {batch}: prompt tokens per decode call");
    }

    // The choice itself counts what stays resident (the governor's figure): repacking moves weights from the mapped file
    // into anonymous memory without changing the sum. The load holds more for a while, but the extra is page cache the
    // engine gives back as the load ends (and the kernel reclaims when it needs the room earlier), so it is said, not
    // budgeted: a shorter context would not make the load safer.
    private static string LoadReason(MemoryEstimate e, int maxAuto, long loadPeakBytes, long room) =>
        F($"load: the {e.RepackedWeightsBytes / MiB} MiB of repacked weights are copied into anonymous memory while the file's pages they are read from are cached too, until the engine gives them back as the load ends: about {loadPeakBytes / MiB} MiB in the box at the peak of the load")
        + (maxAuto > 1 ? F($" (with the KV of all {maxAuto} sequences), ") : ", ")
        + (loadPeakBytes <= room
            ? F($"within the {room / MiB} MiB left under the limit")
            : F($"{(loadPeakBytes - room) / MiB} MiB more than the {room / MiB} MiB left under the limit, so the kernel reclaims page cache during the load (the load still succeeds; mapped weights it drops are read again)"));

    private static string AutoParallelReason(ModelInfo model, Candidate choice, int maxAuto)
    {
        var perSequence = MemoryEstimator.Estimate(model, choice.Context, choice.MicroBatch, 2).KvCacheBytes - choice.Estimate.KvCacheBytes;
        return maxAuto > 1
            ? F($"parallel sequences: up to {maxAuto} fit below the medium line (KV +{perSequence / MiB} MiB per extra sequence); chosen when the model is loaded: as many as keep each stream at the floor rate in a measured decode step")
            : F($"parallel sequences 1: no room below the medium line for another sequence's KV ({perSequence / MiB} MiB)");
    }

    private static string Refuse(ModelInfo model, MemoryEstimate e, long required, long others, long limit, MemoryGovernorOptions options, string parts, BoxSettings overrides, int parallel)
    {
        var line = (long)(limit * options.CriticalThreshold);
        var text = F($"{Path.GetFileName(model.Path)} does not fit: at context {e.ContextSize} it needs about {required / MiB} MiB resident ({parts})") +
            (others > 0 ? F($" besides {others / MiB} MiB used by other processes") : string.Empty) +
            F($", but the box's emergency line is {line / MiB} MiB ({options.CriticalThreshold:P0} of the {limit / MiB} MiB limit).");

        // Would a shorter context fit? Then say which.
        if (overrides.ContextSize is not null)
        {
            foreach (var context in Candidates(Math.Min(overrides.ContextSize.Value - 1, MaxAutoContextSize)))
            {
                if (MemoryEstimator.Estimate(model, context, Math.Min(128, context), parallel).TotalBytes + ServerOverheadBytes + others <= line)
                {
                    return text + F($" Use --ctx {context} or less, or raise the memory limit.");
                }
            }
        }

        return text + " Use a smaller model or quantization, or raise the memory limit.";
    }

    // The most sequences (up to the engine's automatic maximum) whose KV caches still fit below the medium line.
    private static int MaxParallelThatFits(ModelInfo model, int context, int microBatch, long comfortable)
    {
        for (var n = Inference.EngineOptions.DefaultMaxAutoParallelSequences; n > 1; n--)
        {
            if (MemoryEstimator.Estimate(model, context, microBatch, n).TotalBytes + ServerOverheadBytes <= comfortable)
            {
                return n;
            }
        }

        return 1;
    }

    // 4096, 2048, ... down to 256 (starting at the largest power of two not above max; max itself first when it is not one).
    private static int[] Candidates(int max)
    {
        var list = new List<int>();
        if (max >= MinAutoContextSize && (max & (max - 1)) != 0)
        {
            list.Add(max);
        }

        for (var c = 1 << (int)Math.Floor(Math.Log2(Math.Max(max, 1))); c >= MinAutoContextSize; c /= 2)
        {
            list.Add(c);
        }

        return list.Count > 0 ? [.. list] : [Math.Max(16, max)];
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Candidate(int Context, int MicroBatch, MemoryEstimate Estimate);

    private readonly record struct ContextFit(Candidate Choice, bool Comfortable, bool Fits);

    // What the model may take below each pressure line, after what other processes hold.
    private readonly record struct MemoryLines(long Others, long Comfortable, long High, long Emergency)
    {
        public static MemoryLines Of(MemorySnapshot memory, MemoryGovernorOptions options)
        {
            var others = Math.Max(0, memory.AnonymousBytes - memory.ProcessRssAnonymousBytes);
            return new MemoryLines(
                others,
                (long)(memory.LimitBytes * options.MediumThreshold) - others,
                (long)(memory.LimitBytes * options.HighThreshold) - others,
                (long)(memory.LimitBytes * options.CriticalThreshold) - others);
        }
    }
}
