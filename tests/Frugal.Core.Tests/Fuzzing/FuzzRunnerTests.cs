using Frugal.Testing.Fuzzing;

namespace Frugal.Tests.Fuzzing;

/// <summary>The fuzzing harness itself: it finds a planted bug, and the same seed gives the same inputs.</summary>
public sealed class FuzzRunnerTests
{
    [Fact]
    public void Run_TargetThatFailsOnSomeInputs_ReportsThemAsFindings()
    {
        var target = new PlantedBug();

        var report = FuzzRunner.Run(target, new FuzzRunOptions { Iterations = 1000, MaxFindings = 1000 });

        Assert.NotEmpty(report.Findings);
        Assert.All(report.Findings, f => Assert.IsType<IndexOutOfRangeException>(f.Exception));
        Assert.All(report.Findings, f => Assert.True(f.Input.Length < 16));
        Assert.True(report.Refused > 0 && report.Accepted > 0, report.ToString());
        Assert.Equal(1001, report.Accepted + report.Refused + report.Findings.Count);
    }

    [Fact]
    public void Mutate_SameSeed_SameInputs()
    {
        byte[] seed = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

        var first = Mutants(seed, 7);
        var again = Mutants(seed, 7);
        var other = Mutants(seed, 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Contains(first, m => m != Convert.ToHexString(seed));
    }

    private static List<string> Mutants(byte[] seed, int randomSeed)
    {
        var mutator = new ByteMutator(new Random(randomSeed), ["{}"u8.ToArray()]);
        return [.. Enumerable.Range(0, 50).Select(_ => Convert.ToHexString(mutator.Mutate(seed, 16)))];
    }

    // Accepts 16-byte inputs, refuses ones starting with 0xFF as its own error, and indexes past the end of a shorter one.
    private sealed class PlantedBug : IFuzzTarget
    {
        public string Name => "planted";

        public IReadOnlyList<byte[]> Seeds { get; } = [new byte[16]];

        public IReadOnlyList<byte[]> Dictionary { get; } = [[0xFF]];

        public int HotLength(byte[] seed) => seed.Length;

        public bool Run(byte[] input)
        {
            if (input.Length > 0 && input[0] == 0xFF)
            {
                throw new FormatException("starts with 0xFF");
            }

            return input[15] >= 0;
        }

        public bool IsOwnError(Exception exception) => exception is FormatException;
    }
}
