using System.Globalization;

namespace Frugal.Testing.Fuzzing;

/// <summary>How long a fuzz run goes and where it keeps what it found.</summary>
public sealed record FuzzRunOptions
{
    /// <summary>Seed of the mutations: the same seed, the same inputs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Mutated inputs to try (when <see cref="Duration"/> is null).</summary>
    public long Iterations { get; init; } = 1000;

    /// <summary>Run for this long instead of <see cref="Iterations"/> (the bench's longer runs).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after this many findings.</summary>
    public int MaxFindings { get; init; } = 20;

    /// <summary>A directory to write each finding's input to (as <c>TARGET-ITERATION.bin</c>), or null.</summary>
    public string? FindingsDirectory { get; init; }

    /// <summary>Told of every accepted mutant (for checks a run cannot make in-process, such as loading it natively).</summary>
    public Action<byte[]>? Accepted { get; init; }

    /// <summary>Most accepted mutants <see cref="ForTest"/> keeps in <c>FRUGAL_FUZZ_ACCEPTED</c>.</summary>
    public const int MaxKeptAccepted = 100;

    /// <summary>
    /// The run a test makes: <paramref name="iterations"/> inputs from seed 1, unless the bench asks for a longer
    /// one through <c>FRUGAL_FUZZ_SECONDS</c> (and <c>FRUGAL_FUZZ_SEED</c>, <c>FRUGAL_FUZZ_FINDINGS</c>, and
    /// <c>FRUGAL_FUZZ_ACCEPTED</c>: a directory for the first <see cref="MaxKeptAccepted"/> accepted mutants of
    /// <paramref name="target"/>, named <c>TARGET-N.bin</c>).
    /// </summary>
    public static FuzzRunOptions ForTest(string target, long iterations)
    {
        var options = new FuzzRunOptions { Iterations = iterations, FindingsDirectory = Variable("FRUGAL_FUZZ_FINDINGS") };
        if (Variable("FRUGAL_FUZZ_ACCEPTED") is { } accepted)
        {
            Directory.CreateDirectory(accepted);
            var kept = 0;
            options = options with
            {
                Accepted = input =>
                {
                    if (kept < MaxKeptAccepted)
                    {
                        File.WriteAllBytes(Path.Combine(accepted, $"{target}-{kept++}.bin"), input);
                    }
                },
            };
        }

        if (Variable("FRUGAL_FUZZ_SECONDS") is { } seconds)
        {
            options = options with { Duration = TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)) };
        }

        if (Variable("FRUGAL_FUZZ_SEED") is { } seed)
        {
            options = options with { Seed = int.Parse(seed, CultureInfo.InvariantCulture) };
        }

        return options;
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
