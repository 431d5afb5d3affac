using System.Globalization;
using System.Net;
using Frugal.Tests.Endpoints;

namespace Frugal.Tests.Observability;

/// <summary>The memory governor's gauges in the real <c>/metrics</c> output, at the levels the configuration forces.</summary>
public sealed class MemoryMetricsTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    [Fact]
    public async Task GetMetrics_DefaultServer_LevelGaugesAgree()
    {
        var metrics = await ScrapeAsync(tiny.Server);

        var level = metrics["frugal_memory_pressure"];
        Assert.InRange(level, 0, 3);
        string[] names = ["low", "medium", "high", "critical"];
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(i == (int)level ? 1 : 0, metrics[$"frugal_memory_pressure_level{{level=\"{names[i]}\"}}"]);
        }

        Assert.Equal(level == 3 ? 1 : 0, metrics["frugal_emergency_mode"]);
        Assert.True(metrics["frugal_memory_resident_bytes"] > 0);
    }

    [Fact]
    public async Task GetMetrics_HighPressure_ShowsLevelAndWhatIsRestricted()
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Memory.MediumThreshold = 0;
            o.Memory.HighThreshold = 0;
            o.Memory.CriticalThreshold = 1.5;
        });

        var metrics = await ScrapeAsync(server);

        Assert.Equal(2, metrics["frugal_memory_pressure"]);
        Assert.Equal(1, metrics["frugal_memory_pressure_level{level=\"high\"}"]);
        Assert.Equal(0, metrics["frugal_memory_pressure_level{level=\"low\"}"]);
        Assert.Equal(0, metrics["frugal_emergency_mode"]);
        Assert.Equal(1, metrics["frugal_memory_restriction{kind=\"max_tokens\"}"]);
        Assert.Equal(1, metrics["frugal_memory_restriction{kind=\"history\"}"]);
        Assert.Equal(1, metrics["frugal_memory_restriction{kind=\"queue_depth\"}"]);
        Assert.Equal(0, metrics["frugal_memory_restriction{kind=\"new_generations\"}"]);
    }

    [Fact]
    public async Task GetMetrics_CriticalPressure_ShowsEmergencyModeAndRefuses()
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Memory.MediumThreshold = 0;
            o.Memory.HighThreshold = 0;
            o.Memory.CriticalThreshold = 1e-9; // any resident byte is over it
        });
        using var client = server.CreateClient();
        using var refused = await client.PostAsync("v1/chat/completions",
            ChatCompletionsApiTests.Json("""{"max_tokens":2,"messages":[{"role":"user","content":"Hi"}]}"""), TestContext.Current.CancellationToken);

        var metrics = await ScrapeAsync(server);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(3, metrics["frugal_memory_pressure"]);
        Assert.Equal(1, metrics["frugal_memory_pressure_level{level=\"critical\"}"]);
        Assert.Equal(1, metrics["frugal_emergency_mode"]);
        Assert.Equal(1, metrics["frugal_memory_restriction{kind=\"new_generations\"}"]);
    }

    /// <summary>Every sample line of <c>/metrics</c> as series (name and labels) → value; asserts the type lines exist.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(ServerFixture server)
    {
        using var client = server.CreateClient(apiKey: null);
        var text = await client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("# TYPE frugal_memory_pressure gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE frugal_emergency_mode gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE frugal_memory_restriction gauge\n", text, StringComparison.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }
}
