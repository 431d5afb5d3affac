using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Frugal.Inference;
using Frugal.Server.Hosting;
using Frugal.Tests.Endpoints;

namespace Frugal.Tests.Observability;

public sealed class ObservabilityApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task GetHealth_NoKey_AnswersOk()
    {
        using var client = Server.CreateClient(apiKey: null);

        using var response = await client.GetAsync("health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReady_ModelLoaded_AnswersReady()
    {
        using var client = Server.CreateClient(apiKey: null);

        using var response = await client.GetAsync("ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ready\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReady_ModelFileMalformed_Answers503WithTheReasonWhileHealthStaysOk()
    {
        var directory = Directory.CreateTempSubdirectory("frugal-ready-").FullName;
        try
        {
            // A file that starts like GGUF and then stops: the reader refuses it before llama.cpp sees it.
            var model = Path.Combine(directory, "broken.gguf");
            await File.WriteAllBytesAsync(model, [(byte)'G', (byte)'G', (byte)'U', (byte)'F', 3, 0, 0, 0, 1], TestContext.Current.CancellationToken);
            await using var app = ServerFixture.Build(directory, new Dictionary<string, string?> { ["Model:Path"] = model });
            await app.StartAsync(TestContext.Current.CancellationToken);
            await Assert.ThrowsAnyAsync<Exception>(() => app.Services.GetRequiredService<EngineReadiness>().WhenLoaded);
            using var client = new HttpClient { BaseAddress = app.GetBaseAddress() };

            using var ready = await client.GetAsync("ready", TestContext.Current.CancellationToken);
            using var health = await client.GetAsync("health", TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("failed", body.RootElement.GetProperty("status").GetString());
            Assert.Contains("broken.gguf", body.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task GetStatus_NoKey_Answers401()
    {
        using var client = Server.CreateClient(apiKey: null);

        using var response = await client.GetAsync("status", TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GetStatus_WithKey_DescribesModelMemoryAndQueue()
    {
        using var client = Server.CreateClient();
        using var _ = await client.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json("""{"max_tokens":3,"messages":[{"role":"user","content":"Hi"}]}"""),
            TestContext.Current.CancellationToken);

        using var document = JsonDocument.Parse(await client.GetStringAsync("status", TestContext.Current.CancellationToken));
        var status = document.RootElement;

        Assert.Equal("tiny", status.GetProperty("model").GetString());
        Assert.True(status.GetProperty("model_loaded").GetBoolean());
        Assert.Equal("Q8_0", status.GetProperty("quantization").GetString());
        Assert.Equal(new FileInfo(TinyServer.ModelPath).Length, status.GetProperty("model_file_size_bytes").GetInt64());
        Assert.True(status.GetProperty("memory").GetProperty("limit_bytes").GetInt64() > 0);
        Assert.True(status.GetProperty("memory").GetProperty("process_rss_bytes").GetInt64() > 0);
        Assert.Equal(0, status.GetProperty("queue_depth").GetInt32());
        Assert.Equal(0, status.GetProperty("your_queue_positions").GetArrayLength());
        Assert.Equal(0, status.GetProperty("active_generations").GetInt32());
        Assert.True(status.GetProperty("recent_decode_tokens_per_second").GetDouble() > 0);
        // The process's uptime (this process: the server runs in it), to a tenth of a second.
        var processAge = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
        Assert.InRange(status.GetProperty("uptime_seconds").GetDouble(), double.Epsilon, processAge + 0.1);
    }

    [Fact]
    public async Task GetMetrics_AfterRequests_CountsThemByRouteAndStatus()
    {
        using var client = Server.CreateClient();
        using var ok = await client.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json("""{"max_tokens":2,"messages":[{"role":"user","content":"Hi"}]}"""),
            TestContext.Current.CancellationToken);
        using var bad = await client.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json("""{"messages":[]}"""), TestContext.Current.CancellationToken);

        using var response = await Server.CreateClient(apiKey: null).GetAsync("metrics", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        Assert.Contains("frugal_http_requests_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"}", text, StringComparison.Ordinal);
        Assert.Contains("frugal_http_errors_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"400\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE frugal_time_to_first_token_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE frugal_decode_tokens_per_second histogram", text, StringComparison.Ordinal);
        Assert.Contains("frugal_completion_tokens_total ", text, StringComparison.Ordinal);
        Assert.Contains("frugal_queue_depth 0", text, StringComparison.Ordinal);
        Assert.Contains("frugal_memory_limit_bytes ", text, StringComparison.Ordinal);
    }
}
