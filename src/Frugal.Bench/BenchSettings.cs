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

    /// <summary>Only the capacity phase (simulated users); null runs the speed and memory bench.</summary>
    public CapacityOptions? Capacity { get; init; }

    /// <summary>The arguments that repeat this request for a run inside a box.</summary>
    public IEnumerable<string> Arguments()
    {
        yield return "bench";
        yield return "--model";
        yield return ModelPath;
        yield return "--ctx";
        yield return ContextSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (JsonPath is not null)
        {
            yield return "--json";
            yield return JsonPath;
        }

        if (MarkdownPath is not null)
        {
            yield return "--markdown";
            yield return MarkdownPath;
        }

        if (Quick)
        {
            yield return "--quick";
        }

        if (QuickProfile)
        {
            yield return "--profile";
            yield return "quick";
        }

        if (LongChatProfile)
        {
            yield return "--profile";
            yield return "long-chat";
        }

        if (Repack is { } repack)
        {
            yield return "--repack";
            yield return repack ? "on" : "off";
        }

        if (NativeLibrary is not null)
        {
            yield return "--native-library";
            yield return NativeLibrary;
        }

        if (Verbose)
        {
            yield return "--verbose";
        }

        if (FlashAttention is { } flash)
        {
            yield return "--flash-attn";
            yield return flash ? "on" : "off";
        }

        if (KvRam is { } kvRam)
        {
            yield return "--kv-ram";
            yield return kvRam.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Capacity is { } capacity)
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            yield return "--capacity";
            yield return "--users";
            yield return string.Join(',', capacity.UserCounts);
            yield return "--capacity-minutes";
            yield return capacity.Window.TotalMinutes.ToString(invariant);
            yield return "--compress";
            yield return capacity.Compression.ToString(invariant);
        }

        foreach (var (name, value) in Overrides)
        {
            yield return name;
            yield return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
