using Frugal.Models;
using Frugal.Testing.Fuzzing;

namespace Frugal.Tests.Hostile;

/// <summary>
/// Mutated <c>/v1/chat/completions</c> bodies (a deterministic run of tens of thousands; <c>bench/fuzz</c> runs it for
/// minutes) never make the request reader throw anything but its own <see cref="Frugal.Requests.ChatRequestException"/>,
/// which the endpoint answers as a 4xx in OpenAI's error shape.
/// </summary>
public sealed class ChatRequestFuzzTests
{
    private static readonly Lazy<ModelInfo> Tiny = new(() => ModelInfoReader.Read(TestModels.Tiny));

    [Fact]
    public void Run_Seeds_AreAccepted()
    {
        var target = new ChatRequestFuzzTarget(Tiny.Value);

        Assert.All(target.Seeds, seed => Assert.True(target.Run(seed)));
    }

    [Fact]
    public void Run_MutatedBodies_RefusedOnlyWithChatRequestException()
    {
        var target = new ChatRequestFuzzTarget(Tiny.Value);

        var report = FuzzRunner.Run(target, FuzzRunOptions.ForTest(target.Name, iterations: 20_000));

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, string.Join(Environment.NewLine, report.Findings.Select(f => f.ToString() + Environment.NewLine + f.Exception)));
        Assert.True(report.Refused > report.Iterations / 4, report.ToString());
        Assert.True(report.Accepted > target.Seeds.Count, report.ToString());
    }
}
