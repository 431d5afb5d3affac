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
        var model = new Option<string>("--model", "-m") { Description = "The GGUF model file.", Required = true };
        var box = new Option<string?>("--box") { Description = "Run the measured part inside a cgroup of CPUS,MEMORY (for example 1,2g; needs root)." };
        var json = new Option<string?>("--json") { Description = "Also write the figures as one JSON object to this file." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the figures as Markdown to this file." };
        var kvRam = new Option<string?>("--kv-ram") { Description = "RAM kept for idle sessions' KV states (for example 64m; 0 sends them straight to disk). Default: as frugal serve." };
        var context = new Option<int>("--ctx") { Description = "Context size in tokens.", DefaultValueFactory = _ => 2048 };
        var verbose = new Option<bool>("--verbose") { Description = "Also print the engine's log (session states saved and restored, with their times)." };
        var flashAttention = new Option<string?>("--flash-attn") { Description = "Flash attention: on, off or auto (llama.cpp decides; the default)." };
        flashAttention.AcceptOnlyFromAmong("on", "off", "auto");
        var profile = new Option<string>("--profile")
        {
            Description = "full (every phase), quick (prompt 128, decode 64, one round, no chats; for comparing model files) or long-chat (the long conversations past the context, the rest cut short).",
            DefaultValueFactory = _ => "full",
        };
        profile.AcceptOnlyFromAmong("full", "quick", "long-chat");
        var repack = new Option<string>("--repack")
        {
            Description = "Let llama.cpp repack Frugal's weights at load: on, off, or auto (the default, as frugal serve: the 4-bit types).",
            DefaultValueFactory = _ => "auto",
        };
        repack.AcceptOnlyFromAmong("on", "off", "auto");
        var nativeLibrary = new Option<string?>("--native-library")
        {
            Description = $"The llama.cpp native library for both Frugal and plain LLamaSharp: {string.Join(", ", NativeLibrarySelection.Choices)} or the path of a libllama.so (default auto, as frugal serve).",
        };
        nativeLibrary.Validators.Add(result =>
        {
            if (NativeLibrarySelection.Problem(result.GetValueOrDefault<string?>()) is { } problem)
            {
                result.AddError($"--native-library {problem}");
            }
        });
        var capacity = new Option<bool>("--capacity")
        {
            Description = "Only the capacity phase: simulated users (a 60-token message after exponential gaps of a minute, 64-token replies, sessions of their own) at each --users count, under frugal serve's latency policy and the one-sequence policy; reports time to first token, stream rates and users_per_box.",
        };
        var users = new Option<string>("--users") { Description = "Capacity: the user counts, comma-separated.", DefaultValueFactory = _ => "2,4,6,8,10,12" };
        var capacityMinutes = new Option<double>("--capacity-minutes") { Description = "Capacity: minutes of messages per user count (before --compress).", DefaultValueFactory = _ => 4 };
        var compress = new Option<double>("--compress")
        {
            Description = "Capacity: time compression k: gaps and minutes divided by k, so a simulated user is the load of k real ones (1: real time).",
            DefaultValueFactory = _ => 1,
        };
        users.Validators.Add(result =>
        {
            if (!TryParseCounts(result.GetValueOrDefault<string>() ?? "", out _))
            {
                result.AddError("--users must be user counts from 1 to 1000, comma-separated (for example 2,4,8)");
            }
        });
        capacityMinutes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and <= 600))
            {
                result.AddError("--capacity-minutes must be more than 0 and at most 600");
            }
        });
        compress.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (>= 1 and <= 100))
            {
                result.AddError("--compress must be from 1 to 100");
            }
        });
        var quick = new Option<bool>("--quick") { Description = "A few tokens per phase (for tests).", Hidden = true };
        var boxed = new Option<string?>("--boxed") { Description = "Set by --box on the run inside the box.", Hidden = true };
        var boxedCgroup = new Option<string?>("--boxed-cgroup") { Description = "The box's cgroup directory.", Hidden = true };
        // A smaller profile for a machine too busy for the full run (the report says which profile ran).
        // --parallel N measures an engine decoding N sequences together (continuous batching).
        var overrides = new[] { "--long-chat-turns", "--long-chat-interleaved-turns", "--turns", "--reply-tokens", "--decode-tokens", "--rounds", "--chat-rounds", "--client-tokens", "--parallel" }
            .Select(name => new Option<int>(name) { Description = "Profile override.", Hidden = true })
            .ToArray();
        context.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 64)
            {
                result.AddError("--ctx must be at least 64");
            }
        });
        kvRam.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !ByteSize.TryParse(text, CultureInfo.InvariantCulture, out _))
            {
                result.AddError($"--kv-ram '{text}' is not a size (for example 64m, 0)");
            }
        });
        box.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !TryParseBox(text, out _, out _))
            {
                result.AddError($"--box '{text}' is not CPUS,MEMORY (for example 1,2g)");
            }
        });

        var command = new Command("bench", "Measure speed and memory against plain LLamaSharp on this machine.");
        foreach (var option in new Option[] { model, box, json, markdown, context, kvRam, verbose, flashAttention, profile, repack, nativeLibrary, capacity, users, capacityMinutes, compress, quick, boxed, boxedCgroup }.Concat(overrides))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new BenchSettings(
                Path.GetFullPath(parse.GetValue(model)!),
                parse.GetValue(json) is { } j ? Path.GetFullPath(j) : null,
                parse.GetValue(markdown) is { } m ? Path.GetFullPath(m) : null,
                parse.GetValue(context),
                parse.GetValue(quick))
            {
                Overrides = overrides.Where(o => parse.GetValue(o) > 0).ToDictionary(o => o.Name, o => parse.GetValue(o)),
                KvRam = parse.GetValue(kvRam) is { } ram ? ByteSize.Parse(ram, CultureInfo.InvariantCulture) : null,
                Verbose = parse.GetValue(verbose),
                QuickProfile = parse.GetValue(profile) == "quick",
                LongChatProfile = parse.GetValue(profile) == "long-chat",
                Repack = parse.GetValue(repack) switch { "on" => true, "off" => false, _ => null },
                NativeLibrary = parse.GetValue(nativeLibrary) is { } library && library.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(library) : parse.GetValue(nativeLibrary),
                FlashAttention = parse.GetValue(flashAttention) switch { "on" => true, "off" => false, _ => null },
                Capacity = parse.GetValue(capacity) && TryParseCounts(parse.GetValue(users) ?? "", out var counts)
                    ? new CapacityOptions
                    {
                        UserCounts = counts,
                        Window = TimeSpan.FromMinutes(parse.GetValue(capacityMinutes)),
                        Compression = parse.GetValue(compress),
                    }
                    : null,
            };
            return RunAsync(settings, parse.GetValue(box), parse.GetValue(boxed), parse.GetValue(boxedCgroup), cancellationToken);
        });
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
        options = options with
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

        var dataDirectory = Directory.CreateTempSubdirectory("frugal-bench-").FullName;
        try
        {
            using var loggers = settings.Verbose
                ? LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Debug))
                : null;
            var store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
            {
                DataDirectory = dataDirectory,
                ModelIdentity = ModelFileIdentity.Compute(settings.ModelPath),
                MemoryBudget = settings.KvRam ?? TieredSessionStateStoreOptions.DefaultMemoryBudget,
            }, loggers?.CreateLogger<TieredSessionStateStore>());
            var kvRamBudget = settings.KvRam ?? TieredSessionStateStoreOptions.DefaultMemoryBudget;
            Console.WriteLine($"bench: idle sessions' KV states: {kvRamBudget} in RAM, then disk");
            var engineOptions = new EngineOptions
            {
                ModelPath = settings.ModelPath,
                ContextSize = options.ContextSize,
                SessionStateStore = store,
                FlashAttention = settings.FlashAttention,
                RepackWeights = settings.Repack,
                NativeLibrary = settings.NativeLibrary,
                ParallelSequences = Math.Clamp(o.GetValueOrDefault("--parallel", 1), 1, EngineOptions.MaxParallelSequences),
                // The figures do not depend on the template; a file without one is measured as Zephyr.
                ChatTemplate = info.ChatTemplateFamily == ChatTemplateFamily.Unknown ? ChatTemplateFamily.Zephyr : null,
            };
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

            var text = BenchReportMarkdown.Write(report);
            Console.WriteLine();
            Console.Write(text);
            if (settings.JsonPath is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, BenchReportJson.Write(report), cancellationToken).ConfigureAwait(false);
            }

            if (settings.MarkdownPath is { } markdownPath)
            {
                await File.WriteAllTextAsync(markdownPath, text, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The capacity phase: the latency policy as <c>frugal serve</c> plans it for this box (streams measured at start
    /// within the memory plan, the floor and prompt chunk defaults), then one sequence, same model and session store.
    /// </summary>
    private static async Task<int> CapacityAsync(BenchSettings settings, CapacityOptions capacity, EngineOptions engineOptions, ModelInfo info,
        IProgress<string> progress, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        var plan = new EnginePlanner(Options.Create(new FrugalOptions { Model = new ModelOptions { Path = settings.ModelPath, ContextSize = settings.ContextSize, FitToBox = true } }),
            new MemoryProbe()).Plan;
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
        var text = CapacityReportText.Markdown(report);
        Console.WriteLine();
        Console.Write(text);
        if (settings.JsonPath is { } jsonPath)
        {
            await File.WriteAllTextAsync(jsonPath, CapacityReportText.Json(report), cancellationToken).ConfigureAwait(false);
        }

        if (settings.MarkdownPath is { } markdownPath)
        {
            await File.WriteAllTextAsync(markdownPath, text, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool and interleave lines).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
