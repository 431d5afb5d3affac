using Frugal.Diagnostics;
using Frugal.Server.Diagnostics;
using Frugal.Inference;
using Frugal.Tests.Memory;

namespace Frugal.Tests.Diagnostics;

public sealed class PrometheusMetricsCollectorTests : IDisposable
{
    private readonly TestMeterFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void Render_RequestsCounted_WritesCounterWithLabels()
    {
        using var collector = new PrometheusMetricsCollector([FrugalMetrics.MeterName], _factory);
        using var metrics = new FrugalMetrics(_factory);

        metrics.RequestCompleted("/v1/chat/completions", "POST", 200, TimeSpan.FromSeconds(0.2));
        metrics.RequestCompleted("/v1/chat/completions", "POST", 200, TimeSpan.FromSeconds(0.3));
        metrics.RequestCompleted("/v1/chat/completions", "POST", 400, TimeSpan.FromSeconds(0.01));
        var text = collector.Render();

        Assert.Contains("# TYPE frugal_http_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_http_requests_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_http_errors_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal_http_errors_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Histogram_WritesCumulativeBucketsSumAndCount()
    {
        using var collector = new PrometheusMetricsCollector([FrugalMetrics.MeterName], _factory);
        using var metrics = new FrugalMetrics(_factory);

        metrics.GenerationStarted(TimeSpan.Zero);
        metrics.GenerationEnded(Stats(TimeSpan.FromSeconds(0.3)));
        metrics.GenerationStarted(TimeSpan.Zero);
        metrics.GenerationEnded(Stats(TimeSpan.FromSeconds(3)));
        var text = collector.Render();

        Assert.Contains("# TYPE frugal_time_to_first_token_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_bucket{le=\"0.25\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_bucket{le=\"0.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_bucket{le=\"5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_sum 3.3\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_time_to_first_token_seconds_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_completion_tokens_total 20\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_generations_total{finish_reason=\"stop\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("frugal_generations_active 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MemoryGauges_ReadTheProbeAtScrape()
    {
        var probe = new FakeMemoryProbe(TimeProvider.System) { LimitBytes = 2048, AnonymousBytes = 1024 };
        using var collector = new PrometheusMetricsCollector([FrugalMetrics.MeterName], _factory);
        using var metrics = new FrugalMetrics(_factory, probe);

        var first = collector.Render();
        probe.AnonymousBytes = 1536;
        var second = collector.Render();

        Assert.Contains("# TYPE frugal_memory_limit_bytes gauge\nfrugal_memory_limit_bytes 2048\n", first, StringComparison.Ordinal);
        Assert.Contains("frugal_memory_available_bytes 1024\n", first, StringComparison.Ordinal);
        Assert.Contains("frugal_memory_used_bytes 1536\n", second, StringComparison.Ordinal);
        Assert.Contains("frugal_memory_available_bytes 512\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OtherFactorysMeters_AreLeftOut()
    {
        using var otherFactory = new TestMeterFactory();
        using var collector = new PrometheusMetricsCollector([FrugalMetrics.MeterName], _factory);
        using var other = new FrugalMetrics(otherFactory);

        other.RequestCompleted("/health", "GET", 200, TimeSpan.Zero);

        Assert.DoesNotContain("frugal_http_requests_total", collector.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LabelValueWithQuoteAndNewline_IsEscaped()
    {
        using var collector = new PrometheusMetricsCollector([FrugalMetrics.MeterName], _factory);
        using var metrics = new FrugalMetrics(_factory);

        metrics.RequestCompleted("/a\"b\nc\\d", "GET", 404, TimeSpan.Zero);

        Assert.Contains("route=\"/a\\\"b\\nc\\\\d\"", collector.Render(), StringComparison.Ordinal);
    }

    private static GenerationStats Stats(TimeSpan timeToFirstToken) => new()
    {
        PromptTokens = 5,
        CompletionTokens = 10,
        FinishReason = FinishReason.Stop,
        TimeToFirstToken = timeToFirstToken,
        PromptTokensPerSecond = 40,
        DecodeTokensPerSecond = 12,
    };
}
