using Frugal.Models;
using Frugal.Testing.Fuzzing;

namespace Frugal.Fuzz;

/// <summary>
/// The targets the coverage-guided fuzzers drive, by name: <c>gguf</c> (everything before llama.cpp reads a model
/// file) and the request reader of every dialect, plus <c>planted</c>, the harness's own check that a fuzzer finds a
/// crash behind a five-byte magic. One input is one call of <see cref="Run"/>: a target's own clear error is a normal
/// refusal; anything else escapes and is the crash the fuzzer reports.
/// </summary>
internal sealed class FuzzHarness
{
    private readonly IFuzzTarget _target;
    private readonly byte[] _tail;

    // A model file's seeds are mostly tensor data, which the checks only measure: the fuzzer mutates the header (the
    // first HotLength bytes of a seed) and each input gets the longest seed's data, as zeros, after it.
    private FuzzHarness(IFuzzTarget target)
    {
        _target = target;
        var modelFile = target is GgufFuzzTarget;
        _tail = modelFile ? new byte[target.Seeds.Max(seed => seed.Length - target.HotLength(seed))] : [];
        Seeds = modelFile ? [.. target.Seeds.Select(seed => seed[..target.HotLength(seed)])] : target.Seeds;
    }

    /// <summary>What a fuzzer starts from: the target's seeds, a model file's without its tensor data.</summary>
    public IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>Every target's name.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["gguf", "chat", "completions", "ollama-chat", "ollama-generate", "anthropic-messages", PlantedFuzzTarget.TargetName];

    public IFuzzTarget Target => _target;

    public static FuzzHarness Create(string name, string workDirectory) => new(name switch
    {
        "gguf" => new GgufFuzzTarget(workDirectory),
        PlantedFuzzTarget.TargetName => new PlantedFuzzTarget(),
        _ => RequestFuzzTargets.All(TinyModel(workDirectory)).SingleOrDefault(t => t.Name == name)
            ?? throw new ArgumentException($"No fuzz target '{name}'; the targets are: {string.Join(", ", Names)}.", nameof(name)),
    });

    // The request targets read their model's name and vocabulary size: the tiny model, written where the run works.
    private static ModelInfo TinyModel(string workDirectory)
    {
        var path = Path.Combine(workDirectory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        return ModelInfoReader.Read(path);
    }

    /// <summary>Runs one input: true when accepted, false when refused with the target's own error; other errors escape.</summary>
    public bool Run(byte[] input)
    {
        try
        {
            return _target.Run(_tail.Length == 0 ? input : [.. input, .. _tail]);
        }
        catch (Exception e) when (_target.IsOwnError(e))
        {
            return false;
        }
    }
}
