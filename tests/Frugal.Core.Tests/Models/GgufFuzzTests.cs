using Frugal.Testing.Fuzzing;

namespace Frugal.Tests.Models;

/// <summary>
/// Mutated model files (a deterministic run of a few thousand inputs; <c>bench/fuzz</c> runs it for minutes) never
/// make the checks before llama.cpp throw anything but <see cref="Frugal.Models.ModelFileException"/>.
/// </summary>
public sealed class GgufFuzzTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_Seeds_AreAccepted()
    {
        var target = new GgufFuzzTarget(_temp.Path);

        Assert.All(target.Seeds, seed => Assert.True(target.Run(seed)));
    }

    [Fact]
    public void Run_MutatedModelFiles_RefusedOnlyWithModelFileException()
    {
        var target = new GgufFuzzTarget(_temp.Path);

        var report = FuzzRunner.Run(target, FuzzRunOptions.ForTest(target.Name, iterations: 2000));

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, string.Join(Environment.NewLine, report.Findings.Select(f => f.ToString() + Environment.NewLine + f.Exception)));
        // The mutations reach both outcomes: files refused by name, and files whose change the checks allow.
        Assert.True(report.Refused > report.Iterations / 4, report.ToString());
        Assert.True(report.Accepted > target.Seeds.Count, report.ToString());
    }
}
