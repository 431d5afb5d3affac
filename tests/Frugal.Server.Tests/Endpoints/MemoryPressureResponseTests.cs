using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// A real server held at <c>high</c> memory pressure by its configuration (medium and high thresholds at 0,
/// critical above any reading): every reply it shortens or trims says so, in the body and in headers,
/// and the official OpenAI client still reads those replies.
/// </summary>
public sealed class MemoryPressureResponseTests : IAsyncLifetime
{
    private const int Cap = 3;
    private const string Route = "v1/chat/completions";
    private ServerFixture? _server;

    private ServerFixture Server => _server!;

    public async ValueTask InitializeAsync() => _server = await TinyServer.StartAsync(o =>
    {
        o.Memory.MediumThreshold = 0;
        o.Memory.HighThreshold = 0;
        o.Memory.CriticalThreshold = 1.5;
        o.Memory.ReplyTokenCap = Cap;
        o.Memory.HistoryExchanges = 1;
        o.ResponseCache.MaxBytes = Frugal.ByteSize.Zero; // every reply from the model, so each shows the cap at work
    });

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    [Fact]
    public async Task PostChatCompletion_HighPressure_SaysMaxTokensCappedAndFinishesLength()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json(Completion(stream: false, maxTokens: 40)), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal(Cap, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", root.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var frugal = root.GetProperty("frugal");
        Assert.Equal("high", frugal.GetProperty("memory_pressure").GetString());
        var restricted = Assert.Single(frugal.GetProperty("restricted").EnumerateArray());
        Assert.Equal($"max_tokens capped at {Cap} by memory pressure high (asked 40)", restricted.GetString());
        Assert.Equal("high", response.Headers.GetValues("X-Frugal-Memory-Pressure").Single());
        Assert.Equal("max_tokens", response.Headers.GetValues("X-Frugal-Restricted").Single());
    }

    [Fact]
    public async Task PostChatCompletion_HighPressureShortRequest_NotRestricted()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json(Completion(stream: false, maxTokens: 2)), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var frugal = document.RootElement.GetProperty("frugal");
        Assert.Equal("high", frugal.GetProperty("memory_pressure").GetString());
        Assert.Empty(frugal.GetProperty("restricted").EnumerateArray());
        Assert.False(response.Headers.Contains("X-Frugal-Restricted"));
    }

    [Fact]
    public async Task PostChatCompletion_HighPressureStream_FinishChunkSaysCapped()
    {
        using var client = Server.CreateClient();

        var finish = await CachedResponseTests.FinishChunkAsync(client, Completion(stream: true, maxTokens: 40));

        Assert.Equal("length", finish.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var frugal = finish.GetProperty("frugal");
        Assert.Equal("high", frugal.GetProperty("memory_pressure").GetString());
        Assert.StartsWith($"max_tokens capped at {Cap}", Assert.Single(frugal.GetProperty("restricted").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMessage_HighPressure_ReplyAndDoneEventSayCapAndTrim()
    {
        using var client = Server.CreateClient();
        var session = await client.CreateSessionAsync();
        await client.SendAsync(session, "First question.", maxTokens: 2);
        await client.SendAsync(session, "Second question.", maxTokens: 2);

        using var whole = await client.PostMessageAsync(session, JsonSerializer.Serialize(new { content = "Third.", stream = false, max_tokens = 30, temperature = 0 }));
        using var document = JsonDocument.Parse(await whole.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var reply = document.RootElement;
        using var streamed = await client.PostMessageAsync(session,
            JsonSerializer.Serialize(new { content = "Fourth.", stream = true, max_tokens = 30, temperature = 0 }));
        var (events, _) = SseReader.Parse(await streamed.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("high", reply.GetProperty("memory_pressure").GetString());
        Assert.False(reply.GetProperty("cached").GetBoolean());
        Assert.Equal(Cap, reply.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", reply.GetProperty("finish_reason").GetString());
        var notes = reply.GetProperty("restricted").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal($"max_tokens capped at {Cap} by memory pressure high (asked 30)", notes[0]);
        Assert.Equal("history trimmed to the last 1 exchanges by memory pressure high (2 earlier messages left out)", notes[1]);
        Assert.Equal(2, reply.GetProperty("omitted_messages").GetInt32());
        Assert.Equal("max_tokens,history", whole.Headers.GetValues("X-Frugal-Restricted").Single());

        Assert.Equal("high", streamed.Headers.GetValues("X-Frugal-Memory-Pressure").Single());
        var start = events[0];
        Assert.Equal("start", start.GetProperty("type").GetString());
        Assert.Equal(2, start.GetProperty("restricted").GetArrayLength());
        var done = events[^1];
        Assert.Equal("done", done.GetProperty("type").GetString());
        Assert.Equal("high", done.GetProperty("memory_pressure").GetString());
        Assert.Equal(2, done.GetProperty("restricted").GetArrayLength());
        Assert.Equal(4, done.GetProperty("omitted_messages").GetInt32());
        Assert.False(done.GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task CompleteChat_OfficialClientUnderPressure_ParsesCappedReply()
    {
        var client = OfficialClient.Chat(Server);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 40, Temperature = 0f };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello there.")], options, TestContext.Current.CancellationToken);
        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Hello there.")], options, TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(Cap, completion.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
    }

    [Fact]
    public async Task GetStatus_ConfiguredThresholds_ReportedWithHighLevel()
    {
        using var client = Server.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("status", UriKind.Relative), TestContext.Current.CancellationToken));
        var root = document.RootElement;

        Assert.Equal("high", root.GetProperty("memory_pressure").GetString());
        Assert.Equal(0, root.GetProperty("memory_settings").GetProperty("high_threshold").GetDouble());
        Assert.Equal(Cap, root.GetProperty("memory_settings").GetProperty("reply_token_cap").GetInt32());
    }

    private static string Completion(bool stream, int maxTokens) => JsonSerializer.Serialize(new
    {
        model = "tiny",
        stream,
        max_tokens = maxTokens,
        temperature = 0,
        messages = new[] { new { role = "user", content = "Hello there." } },
    });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
