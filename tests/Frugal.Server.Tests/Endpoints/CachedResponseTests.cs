using System.Net;
using System.Text;
using System.Text.Json;

namespace Frugal.Tests.Endpoints;

/// <summary>A repeated deterministic request is answered from the response cache, and every kind of response says so.</summary>
public sealed class CachedResponseTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private const string Route = "v1/chat/completions";

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task PostChatCompletion_RepeatedAtTemperatureZero_SecondSaysCached()
    {
        using var client = Server.CreateClient();
        var body = Completion(stream: false);

        var (first, firstHeaders) = await PostAsync(client, body);
        var (second, secondHeaders) = await PostAsync(client, body);

        Assert.False(first.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.True(second.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.Equal("miss", firstHeaders.GetValues("X-Frugal-Cache").Single());
        Assert.Equal("hit", secondHeaders.GetValues("X-Frugal-Cache").Single());
        Assert.Equal(Content(first), Content(second));
        Assert.NotNull(first.GetProperty("frugal").GetProperty("memory_pressure").GetString());
        Assert.Single(firstHeaders.GetValues("X-Frugal-Memory-Pressure"));
    }

    [Fact]
    public async Task PostChatCompletion_StreamRepeated_FinishChunkSaysCached()
    {
        using var client = Server.CreateClient();
        var body = Completion(stream: true);

        var first = await FinishChunkAsync(client, body);
        var second = await FinishChunkAsync(client, body);

        Assert.False(first.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.True(second.GetProperty("frugal").GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task SendMessage_SameFirstMessageInTwoSessions_SecondReplySaysCached()
    {
        using var client = Server.CreateClient();
        var text = "Cache me " + Guid.NewGuid().ToString("N");

        var first = await client.SendAsync(await client.CreateSessionAsync(), text);
        var secondSession = await client.CreateSessionAsync();
        var json = JsonSerializer.Serialize(new { content = text, stream = true, max_tokens = 8, temperature = 0 });
        using var response = await client.PostMessageAsync(secondSession, json);
        var (events, _) = SseReader.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        Assert.False(first.GetProperty("cached").GetBoolean());
        var done = events.Single(e => e.GetProperty("type").GetString() == "done");
        Assert.True(done.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("message").GetProperty("content").GetString(), done.GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task PostChatCompletion_Sampled_NeverCached()
    {
        using var client = Server.CreateClient();
        var body = Completion(stream: false, temperature: 0.8);

        await PostAsync(client, body);
        var (second, headers) = await PostAsync(client, body);

        Assert.False(second.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.Equal("miss", headers.GetValues("X-Frugal-Cache").Single());
    }

    // A prompt of its own, so no other test of the shared server has cached it first.
    private static string Completion(bool stream, double temperature = 0) => JsonSerializer.Serialize(new
    {
        model = "tiny",
        stream,
        max_tokens = 6,
        temperature,
        messages = new[] { new { role = "user", content = "Tell me something " + Guid.NewGuid().ToString("N") } },
    });

    private static async Task<(JsonElement Body, System.Net.Http.Headers.HttpResponseHeaders Headers)> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return (document.RootElement.Clone(), response.Headers);
    }

    private static string? Content(JsonElement completion) =>
        completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

    /// <summary>The chunk that carries the finish reason.</summary>
    internal static async Task<JsonElement> FinishChunkAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .ToList();
        var finish = Assert.Single(chunks, c => c.GetProperty("choices").GetArrayLength() == 1
            && c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String);
        Assert.Single(chunks, c => c.TryGetProperty("frugal", out _));
        return finish;
    }
}
