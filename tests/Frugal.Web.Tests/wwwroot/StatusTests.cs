using System.Text.Json;
using Frugal.Web.Tests.Infrastructure;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>The page's reading of GET /status (status.js), run in the real browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StatusTests(BrowserFixture browser, PageOnlyHost host) : IClassFixture<PageOnlyHost>
{
    private const string DescribeScript = """
        async (json) => {
          const { describeStatus } = await import("/status.js");
          const info = describeStatus(JSON.parse(json));
          return { banner: info.banner ?? null, summary: info.summary ?? null, emergency: info.emergency };
        }
        """;

    [Fact]
    public async Task DescribeStatus_LowPressure_NoBanner()
    {
        var info = await DescribeAsync("""{"memory_pressure":"low","emergency_mode":false,"memory_restrictions":[],"queue_depth":0}""");

        Assert.Equal(JsonValueKind.Null, info.GetProperty("banner").ValueKind);
        Assert.Equal("Memory: low · queue 0", info.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task DescribeStatus_HighPressure_BannerSaysRepliesShortenedAndWhy()
    {
        var info = await DescribeAsync("""{"memory_pressure":"high","emergency_mode":false,"memory_restrictions":["reply_tokens_cap=128","history_exchanges=2"]}""");

        var banner = info.GetProperty("banner").GetString();
        Assert.Contains("replies are shortened", banner, StringComparison.Ordinal);
        Assert.Contains("capped at 128 tokens", banner, StringComparison.Ordinal);
        Assert.Contains("last 2 exchanges", banner, StringComparison.Ordinal);
        Assert.False(info.GetProperty("emergency").GetBoolean());
    }

    [Fact]
    public async Task DescribeStatus_EmergencyMode_BannerSaysRefused()
    {
        var info = await DescribeAsync("""{"memory_pressure":"critical","emergency_mode":true,"memory_restrictions":["new_generations_refused"]}""");

        Assert.Contains("refused", info.GetProperty("banner").GetString(), StringComparison.Ordinal);
        Assert.True(info.GetProperty("emergency").GetBoolean());
        Assert.Equal("Memory: critical (emergency)", info.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task DescribeStatus_NoMemoryFields_ShowsWhatExists()
    {
        var info = await DescribeAsync("""{"model":"tiny","queue_depth":3}""");

        Assert.Equal(JsonValueKind.Null, info.GetProperty("banner").ValueKind);
        Assert.Equal("queue 3", info.GetProperty("summary").GetString());
    }

    private async Task<JsonElement> DescribeAsync(string statusJson)
    {
        await using var context = await browser.NewContextAsync(host.BaseAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return await page.EvaluateAsync<JsonElement>(DescribeScript, statusJson);
    }
}
