using System.CommandLine;
using System.Globalization;
using Frugal.Inference;
using Frugal.Bench;
using Frugal.Bench.Capacity;
using Frugal.DependencyInjection;
using Frugal.Memory;
using Frugal.Inference.State;
using Frugal.Models;
using Frugal.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal bench</c>: load time, prompt and decode speed against plain LLamaSharp in the same run,
/// time to first token over multi-turn chats, concurrent clients and peak memory (issue 5 §4).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var flags = new BenchFlags();
        var command = new Command("bench", "Measure speed and memory against plain LLamaSharp on this machine.");
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(
            flags.ToSettings(parse), parse.GetValue(flags.Box), parse.GetValue(flags.Boxed), parse.GetValue(flags.BoxedCgroup), cancellationToken));
        return command;
    }

    internal static bool TryParseCounts(string text, out IReadOnlyList<int> counts)
    {
        var parsed = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 1000)
            {
                counts = [];
                return false;
            }

            parsed.Add(count);
        }

        counts = parsed;
        return parsed.Count > 0;
    }

    internal static bool TryParseBox(string text, out int cpus, out ByteSize memory)
    {
        memory = default;
        cpus = 0;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out cpus) && cpus >= 1
            && ByteSize.TryParse(parts[1], CultureInfo.InvariantCulture, out memory) && memory >= ByteSize.FromMebibytes(64);
    }

    private static async Task<int> RunAsync(BenchSettings settings, string? box, string? boxed, string? boxedCgroup, CancellationToken cancellationToken)
    {
        ModelInfo info;
        try
        {
            // Our reader checks the file before anything native sees it, and before a box is made for it.
            info = ModelInfoReader.Read(settings.ModelPath);
        }
        catch (ModelFileException e)
        {
            await Console.Error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (box is not null && boxed is null)
        {
            TryParseBox(box, out var cpus, out var memory);
            return await BoxedBench.RunAsync(settings, cpus, memory, cancellationToken).ConfigureAwait(false);
        }

        BenchBox? where = null;
        if (boxed is not null && TryParseBox(boxed, out var boxCpus, out var boxMemory))
        {
            where = new BenchBox(boxCpus, boxMemory.Bytes, boxedCgroup is not null && boxedCgroup.Contains("/memory/", StringComparison.Ordinal) ? "v1" : "v2");
        }

        try
        {
            return await MeasureAsync(settings, info, where, boxedCgroup, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ModelFileException or ChatTemplateException or PromptTooLongException)
        {
            await Console.Error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> MeasureAsync(BenchSettings settings, ModelInfo info, BenchBox? box, string? cgroup, CancellationToken cancellationToken)
    {
        // Both sides (Frugal and plain LLamaSharp) run on the one library the process loads.
        NativeLibrarySelection.Apply(settings.NativeLibrary);
        var options = Profile(settings);
        var dataDirectory = Directory.CreateTempSubdirectory("frugal-bench-").FullName;
        try
        {
            using var loggers = settings.Verbose
                ? LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Debug))
                : null;
            var engineOptions = EngineOptionsFor(settings, info, options, dataDirectory, loggers);
            var progress = new SynchronousProgress(line => Console.WriteLine($"bench: {line}"));
            if (settings.Capacity is { } capacity)
            {
                return await CapacityAsync(settings, capacity, engineOptions, info, progress, loggers, cancellationToken).ConfigureAwait(false);
            }

            Console.WriteLine($"bench: {info.Architecture} {info.FileType}, {info.FileSizeBytes / 1048576.0:F0} MiB; " +
                (box is null ? "unboxed" : $"inside a cgroup of {box.Cpus} CPU and {new ByteSize(box.MemoryBytes)} (cgroup {box.CgroupVersion})"));
            // Concurrent clients go through the server's own scheduler (fair queue, one worker), as they would over HTTP.
            var runner = new BenchRunner(options, async ct => await LlamaEngine.LoadAsync(engineOptions, loggers?.CreateLogger<LlamaEngine>(), ct).ConfigureAwait(false),
                engine => new GenerationScheduler(engine, Options.Create(new SchedulerOptions())), progress);
            var report = await runner.RunAsync(box, cgroup, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"bench: native library {NativeLibrarySelection.Applied} (CPU backend {NativeLibrarySelection.LoadedCpuBackend() ?? "unknown"})");
            return await WriteReportAsync(settings, BenchReportMarkdown.Write(report), () => BenchReportJson.Write(report), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    // The profile the flags chose, with the overrides given.
    private static BenchOptions Profile(BenchSettings settings)
    {
        var options = new BenchOptions { ModelPath = settings.ModelPath, ContextSize = settings.ContextSize };
        if (settings.QuickProfile)
        {
            options = options.AsQuickProfile();
        }

        if (settings.LongChatProfile)
        {
            options = options.AsLongChatProfile();
        }

        if (settings.Quick)
        {
            options = options.AsQuick() with { ContextSize = Math.Min(settings.ContextSize, 512) };
        }

        var o = settings.Overrides;
        return options with
        {
            Turns = o.GetValueOrDefault("--turns", options.Turns),
            ReplyTokensPerTurn = o.GetValueOrDefault("--reply-tokens", options.ReplyTokensPerTurn),
            DecodeTokens = Math.Max(2, o.GetValueOrDefault("--decode-tokens", options.DecodeTokens)),
            Rounds = o.GetValueOrDefault("--rounds", options.Rounds),
            ChatRounds = o.GetValueOrDefault("--chat-rounds", options.ChatRounds),
            ClientTokens = o.GetValueOrDefault("--client-tokens", options.ClientTokens),
            LongChatTurns = o.GetValueOrDefault("--long-chat-turns", options.LongChatTurns),
            LongChatInterleavedTurns = o.GetValueOrDefault("--long-chat-interleaved-turns", options.LongChatInterleavedTurns),
        };
    }

    // The measured engine: the model with a session store of its own in the bench's temporary directory.
    private static EngineOptions EngineOptionsFor(BenchSettings settings, ModelInfo info, BenchOptions options, string dataDirectory, ILoggerFactory? loggers)
    {
        var kvRamBudget = settings.KvRam ?? TieredSessionStateStoreOptions.DefaultMemoryBudget;
        var store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = dataDirectory,
            ModelIdentity = ModelFileIdentity.Compute(settings.ModelPath),
            MemoryBudget = kvRamBudget,
        }, loggers?.CreateLogger<TieredSessionStateStore>());
        Console.WriteLine($"bench: idle sessions' KV states: {kvRamBudget} in RAM, then disk");
        return new EngineOptions
        {
            ModelPath = settings.ModelPath,
            ContextSize = options.ContextSize,
            SessionStateStore = store,
            FlashAttention = settings.FlashAttention,
            RepackWeights = settings.Repack,
            NativeLibrary = settings.NativeLibrary,
            PrefillHorizonTokens = settings.PrefillHorizon ?? EngineOptions.DefaultPrefillHorizonTokens,
            ParallelSequences = Math.Clamp(settings.Overrides.GetValueOrDefault("--parallel", 1), 1, EngineOptions.MaxParallelSequences),
            // The figures do not depend on the template; a file without one is measured as Zephyr.
            ChatTemplate = info.ChatTemplateFamily == ChatTemplateFamily.Unknown ? ChatTemplateFamily.Zephyr : null,
        };
    }

    // Prints the Markdown and writes it and the JSON where the flags asked.
    private static async Task<int> WriteReportAsync(BenchSettings settings, string markdown, Func<string> json, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.Write(markdown);
        if (settings.JsonPath is { } jsonPath)
        {
            await File.WriteAllTextAsync(jsonPath, json(), cancellationToken).ConfigureAwait(false);
        }

        if (settings.MarkdownPath is { } markdownPath)
        {
            await File.WriteAllTextAsync(markdownPath, markdown, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// The capacity phase: the latency policy as <c>frugal serve</c> plans it for this box (streams measured at start
    /// within the memory plan, the floor and prompt chunk defaults), then one sequence, same model and session store.
    /// </summary>
    private static async Task<int> CapacityAsync(BenchSettings settings, CapacityOptions capacity, EngineOptions engineOptions, ModelInfo info,
        IProgress<string> progress, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        var model = new ModelOptions
        {
            Path = settings.ModelPath,
            ContextSize = settings.ContextSize,
            FitToBox = true,
            // The plan counts the weights the load repacks as the engine below will load them.
            RepackWeights = settings.Repack,
            NativeLibrary = settings.NativeLibrary ?? NativeLibrarySelection.Auto,
        };
        var plan = new EnginePlanner(Options.Create(new FrugalOptions { Model = model }), new MemoryProbe()).Plan;
        if (plan.Refusal is { } refusal)
        {
            await Console.Error.WriteLineAsync($"frugal: {refusal}").ConfigureAwait(false);
            return 2;
        }

        var latency = engineOptions with
        {
            ParallelSequences = plan.Engine.ParallelSequences,
            MaxAutoParallelSequences = plan.Engine.MaxAutoParallelSequences,
            BatchSize = plan.Engine.BatchSize,
            MicroBatchSize = plan.Engine.MicroBatchSize,
            Threads = plan.Engine.Threads,
        };
        var single = latency with { ParallelSequences = 1 };
        var bench = new CapacityBench(capacity,
        [
            ("latency", async ct => await LlamaEngine.LoadAsync(latency, loggers?.CreateLogger<LlamaEngine>(), ct).ConfigureAwait(false)),
            ("one-sequence", async ct => await LlamaEngine.LoadAsync(single, loggers?.CreateLogger<LlamaEngine>(), ct).ConfigureAwait(false)),
        ], progress);
        var report = await bench.RunAsync($"{Path.GetFileName(settings.ModelPath)} ({info.Architecture} {info.FileType}), context {settings.ContextSize}", cancellationToken).ConfigureAwait(false);
        return await WriteReportAsync(settings, CapacityReportText.Markdown(report), () => CapacityReportText.Json(report), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool and interleave lines).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
