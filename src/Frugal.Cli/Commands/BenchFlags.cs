using System.CommandLine;
using System.Globalization;
using Frugal.Bench;
using Frugal.Bench.Capacity;
using Frugal.Inference;

namespace Frugal.Cli.Commands;

/// <summary>The flags of <c>frugal bench</c>, each checked as it is parsed, and the settings they make.</summary>
internal sealed class BenchFlags
{
    public Option<string> Model { get; } = new("--model", "-m") { Description = "The GGUF model file.", Required = true };

    public Option<string?> Box { get; } = Checked(
        new Option<string?>("--box") { Description = "Run the measured part inside a cgroup of CPUS,MEMORY (for example 1,2g; needs root)." },
        text => text is null || BenchCommand.TryParseBox(text, out _, out _), text => $"--box '{text}' is not CPUS,MEMORY (for example 1,2g)");

    public Option<string?> Json { get; } = new("--json") { Description = "Also write the figures as one JSON object to this file." };

    public Option<string?> Markdown { get; } = new("--markdown") { Description = "Also write the figures as Markdown to this file." };

    public Option<string?> KvRam { get; } = Checked(
        new Option<string?>("--kv-ram") { Description = "RAM kept for idle sessions' KV states (for example 64m; 0 sends them straight to disk). Default: as frugal serve." },
        text => text is null || ByteSize.TryParse(text, CultureInfo.InvariantCulture, out _), text => $"--kv-ram '{text}' is not a size (for example 64m, 0)");

    public Option<int> Context { get; } = Checked(
        new Option<int>("--ctx") { Description = "Context size in tokens.", DefaultValueFactory = _ => 2048 },
        size => size >= 64, _ => "--ctx must be at least 64");

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Also print the engine's log (session states saved and restored, with their times)." };

    public Option<string?> FlashAttention { get; } = OneOf(
        new Option<string?>("--flash-attn") { Description = "Flash attention: on, off or auto (llama.cpp decides; the default)." }, "on", "off", "auto");

    public Option<string> Profile { get; } = OneOf(
        new Option<string>("--profile")
        {
            Description = "full (every phase), quick (prompt 128, decode 64, one round, no chats; for comparing model files) or long-chat (the long conversations past the context, the rest cut short).",
            DefaultValueFactory = _ => "full",
        },
        "full", "quick", "long-chat");

    public Option<string> Repack { get; } = InferenceOptions.RepackOption();

    public Option<string?> NativeLibrary { get; } = InferenceOptions.NativeLibraryOption("for both Frugal and plain LLamaSharp; default auto, as frugal serve");

    public Option<int?> PrefillHorizon { get; } = Checked(
        new Option<int?>("--prefill-horizon")
        {
            Description = "Reply tokens ahead over which a starting prompt may use the streaming replies' time in hand over the floor (frugal serve's --prefill-horizon; 0: no pacing; default 64).",
        },
        horizon => horizon is null or (>= 0 and <= EngineOptions.MaxPrefillHorizonTokens), _ => $"--prefill-horizon must be 0 to {EngineOptions.MaxPrefillHorizonTokens}");

    public Option<bool> Capacity { get; } = new("--capacity")
    {
        Description = "Only the capacity phase: simulated users (a 60-token message after exponential gaps of a minute, 64-token replies, sessions of their own) at each --users count, under frugal serve's latency policy and the one-sequence policy; reports time to first token, stream rates and users_per_box.",
    };

    public Option<string> Users { get; } = Checked(
        new Option<string>("--users") { Description = "Capacity: the user counts, comma-separated.", DefaultValueFactory = _ => "2,4,6,8,10,12" },
        text => BenchCommand.TryParseCounts(text ?? "", out _), _ => "--users must be user counts from 1 to 1000, comma-separated (for example 2,4,8)");

    public Option<double> CapacityMinutes { get; } = Checked(
        new Option<double>("--capacity-minutes") { Description = "Capacity: minutes of messages per user count (before --compress).", DefaultValueFactory = _ => 4 },
        minutes => minutes is > 0 and <= 600, _ => "--capacity-minutes must be more than 0 and at most 600");

    public Option<double> Compress { get; } = Checked(
        new Option<double>("--compress")
        {
            Description = "Capacity: time compression k: gaps and minutes divided by k, so a simulated user is the load of k real ones (1: real time).",
            DefaultValueFactory = _ => 1,
        },
        k => k is >= 1 and <= 100, _ => "--compress must be from 1 to 100");

    public Option<bool> Quick { get; } = new("--quick") { Description = "A few tokens per phase (for tests).", Hidden = true };

    public Option<string?> Boxed { get; } = new("--boxed") { Description = "Set by --box on the run inside the box.", Hidden = true };

    public Option<string?> BoxedCgroup { get; } = new("--boxed-cgroup") { Description = "The box's cgroup directory.", Hidden = true };

    /// <summary>
    /// A smaller profile for a machine too busy for the full run (the report says which profile ran);
    /// --parallel N measures an engine decoding N sequences together (continuous batching).
    /// </summary>
    public Option<int>[] Overrides { get; } = new[] { "--long-chat-turns", "--long-chat-interleaved-turns", "--turns", "--reply-tokens", "--decode-tokens", "--rounds", "--chat-rounds", "--client-tokens", "--parallel" }
        .Select(name => new Option<int>(name) { Description = "Profile override.", Hidden = true })
        .ToArray();

    /// <summary>Every flag, in the order <c>--help</c> lists them.</summary>
    public IEnumerable<Option> All =>
        new Option[] { Model, Box, Json, Markdown, Context, KvRam, Verbose, FlashAttention, Profile, Repack, NativeLibrary, PrefillHorizon, Capacity, Users, CapacityMinutes, Compress, Quick, Boxed, BoxedCgroup }
            .Concat(Overrides);

    /// <summary>The settings the parsed flags make.</summary>
    public BenchSettings ToSettings(ParseResult parse) => new(
        Path.GetFullPath(parse.GetValue(Model)!),
        parse.GetValue(Json) is { } j ? Path.GetFullPath(j) : null,
        parse.GetValue(Markdown) is { } m ? Path.GetFullPath(m) : null,
        parse.GetValue(Context),
        parse.GetValue(Quick))
    {
        Overrides = Overrides.Where(o => parse.GetValue(o) > 0).ToDictionary(o => o.Name, o => parse.GetValue(o)),
        KvRam = parse.GetValue(KvRam) is { } ram ? ByteSize.Parse(ram, CultureInfo.InvariantCulture) : null,
        Verbose = parse.GetValue(Verbose),
        QuickProfile = parse.GetValue(Profile) == "quick",
        LongChatProfile = parse.GetValue(Profile) == "long-chat",
        Repack = InferenceOptions.RepackChoice(parse.GetValue(Repack)),
        NativeLibrary = InferenceOptions.NativeLibraryChoice(parse.GetValue(NativeLibrary)),
        FlashAttention = parse.GetValue(FlashAttention) switch { "on" => true, "off" => false, _ => null },
        PrefillHorizon = parse.GetValue(PrefillHorizon),
        Capacity = parse.GetValue(Capacity) && BenchCommand.TryParseCounts(parse.GetValue(Users) ?? "", out var counts)
            ? new CapacityOptions
            {
                UserCounts = counts,
                Window = TimeSpan.FromMinutes(parse.GetValue(CapacityMinutes)),
                Compression = parse.GetValue(Compress),
            }
            : null,
    };

    private static Option<T> Checked<T>(Option<T> option, Func<T?, bool> valid, Func<T?, string> error)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (!valid(value))
            {
                result.AddError(error(value));
            }
        });
        return option;
    }

    private static Option<T> OneOf<T>(Option<T> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
