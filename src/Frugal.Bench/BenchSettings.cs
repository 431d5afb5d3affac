using System.Globalization;
using Frugal.Bench.Capacity;

namespace Frugal.Bench;

/// <summary>What the user asked <c>frugal bench</c> for, with paths made absolute.</summary>
internal sealed record BenchSettings(string ModelPath, string? JsonPath, string? MarkdownPath, int ContextSize, bool Quick)
{
    /// <summary>Overrides of the profile (0: the default); for machines too busy or too slow for the full run.</summary>
    public IReadOnlyDictionary<string, int> Overrides { get; init; } = new Dictionary<string, int>();

    /// <summary>RAM for idle sessions' KV states (the store's RAM tier); null: the server's default.</summary>
    public ByteSize? KvRam { get; init; }

    /// <summary>Print the engine's log too.</summary>
    public bool Verbose { get; init; }

    /// <summary>Flash attention for Frugal's engine: null lets llama.cpp decide.</summary>
    public bool? FlashAttention { get; init; }

    /// <summary>The quick profile (<see cref="BenchOptions.AsQuickProfile"/>) instead of the full one.</summary>
    public bool QuickProfile { get; init; }

    /// <summary>The long-chat profile (<see cref="BenchOptions.AsLongChatProfile"/>) instead of the full one.</summary>
    public bool LongChatProfile { get; init; }

    /// <summary>Let llama.cpp repack Frugal's weights at load (<c>use_extra_bufts</c>); null: by the file's type, as <c>frugal serve</c> does.</summary>
    public bool? Repack { get; init; }

    /// <summary>The llama.cpp native library (<see cref="Frugal.Inference.NativeLibrarySelection"/>); null: "auto", as <c>frugal serve</c> loads it.</summary>
    public string? NativeLibrary { get; init; }

    /// <summary>Frugal's engine's <see cref="Frugal.Inference.EngineOptions.PrefillHorizonTokens"/>; null: the default, as <c>frugal serve</c> has it.</summary>
    public int? PrefillHorizon { get; init; }

    /// <summary>Only the capacity phase (simulated users); null runs the speed and memory bench.</summary>
    public CapacityOptions? Capacity { get; init; }

    /// <summary>The arguments that repeat this request for a run inside a box.</summary>
    public IEnumerable<string> Arguments() =>
    [
        "bench", "--model", ModelPath, "--ctx", Invariant(ContextSize),
        .. Option("--json", JsonPath),
        .. Option("--markdown", MarkdownPath),
        .. Switch("--quick", Quick),
        .. Option("--profile", QuickProfile ? "quick" : null),
        .. Option("--profile", LongChatProfile ? "long-chat" : null),
        .. Option("--repack", Repack is { } repack ? OnOff(repack) : null),
        .. Option("--native-library", NativeLibrary),
        .. Option("--prefill-horizon", PrefillHorizon is { } horizon ? Invariant(horizon) : null),
        .. Switch("--verbose", Verbose),
        .. Option("--flash-attn", FlashAttention is { } flash ? OnOff(flash) : null),
        .. Option("--kv-ram", KvRam is { } kvRam ? Invariant(kvRam.Bytes) : null),
        .. CapacityArguments(Capacity),
        .. Overrides.SelectMany(o => new[] { o.Key, Invariant(o.Value) }),
    ];

    private static IEnumerable<string> CapacityArguments(CapacityOptions? capacity) => capacity is null ? [] :
    [
        "--capacity",
        "--users", string.Join(',', capacity.UserCounts),
        "--capacity-minutes", Invariant(capacity.Window.TotalMinutes),
        "--compress", Invariant(capacity.Compression),
    ];

    // "NAME VALUE" when the value is given, nothing otherwise.
    private static string[] Option(string name, string? value) => value is null ? [] : [name, value];

    private static string[] Switch(string name, bool on) => on ? [name] : [];

    private static string OnOff(bool on) => on ? "on" : "off";

    private static string Invariant<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
