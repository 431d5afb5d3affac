using Frugal.Models;
using Frugal.Testing.Fuzzing;

namespace Frugal.Tests.Hostile;

/// <summary>
/// Mutated request bodies of every dialect (a deterministic run per reader; <c>bench/fuzz</c> and <c>bench/fuzz-afl</c>
/// run them for minutes) never make a reader throw anything but its own <see cref="Frugal.Requests.ChatRequestException"/>,
/// which the endpoint answers as a 4xx in its dialect's error shape.
/// </summary>
public sealed class RequestFuzzTests
{
    private static readonly Lazy<ModelInfo> Tiny = new(() => ModelInfoReader.Read(TestModels.Tiny));

    // The /v1 chat reader has the most paths (tools, schemas to grammars): it gets the longest run.
    private static readonly (string Name, int Iterations)[] Runs =
        [("chat", 20_000), ("completions", 8_000), ("ollama-chat", 8_000), ("ollama-generate", 8_000), ("anthropic-messages", 8_000)];

    public static TheoryData<string, int> Targets
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var (name, iterations) in Runs)
            {
                data.Add(name, iterations);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Run_Seeds_AreAccepted(string name, int iterations)
    {
        _ = iterations;
        var target = Target(name);

        Assert.All(target.Seeds, seed => Assert.True(target.Run(seed)));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Run_MutatedBodies_RefusedOnlyWithChatRequestException(string name, int iterations)
    {
        var target = Target(name);

        var report = FuzzRunner.Run(target, FuzzRunOptions.ForTest(target.Name, iterations));

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, string.Join(Environment.NewLine, report.Findings.Select(f => f.ToString() + Environment.NewLine + f.Exception)));
        Assert.True(report.Refused > report.Iterations / 4, report.ToString());
        Assert.True(report.Accepted > target.Seeds.Count, report.ToString());
    }

    [Theory]
    [InlineData("chat", "\"tool_calls\"")]
    [InlineData("chat", "\"tool_choice\"")]
    [InlineData("ollama-chat", "\"tool_calls\"")]
    [InlineData("anthropic-messages", "\"tool_use\"")]
    [InlineData("anthropic-messages", "\"tool_result\"")]
    public void Seeds_DialectWithTools_StartFromToolRequests(string name, string field)
    {
        var target = Target(name);

        // Accepted (Run_Seeds_AreAccepted) and offering tools, so mutations reach the tool readers and their schemas.
        Assert.Contains(target.Seeds, seed => System.Text.Encoding.UTF8.GetString(seed) is var text && text.Contains("\"tools\":[{", StringComparison.Ordinal)
            && text.Contains(field, StringComparison.Ordinal));
    }

    [Fact]
    public void All_EveryDialectEndpoint_HasATarget()
    {
        var names = RequestFuzzTargets.All(Tiny.Value).Select(t => t.Name);

        Assert.Equal(Runs.Select(run => run.Name), names);
    }

    private static RequestFuzzTarget Target(string name) => RequestFuzzTargets.All(Tiny.Value).Single(t => t.Name == name);
}
