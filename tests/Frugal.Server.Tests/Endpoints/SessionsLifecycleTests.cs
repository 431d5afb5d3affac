using System.Net;
using System.Text.Json;
using Frugal.Inference;

namespace Frugal.Tests.Endpoints;

/// <summary>Sessions across disconnects, restarts and long histories; each test runs its own server.</summary>
public sealed class SessionsLifecycleTests
{
    [Fact]
    public async Task SendMessage_ClientDisconnects_CancelsAndStoresThePartialReply()
    {
        // A large context so the reply is still running when the client goes away; greedy sampling on the
        // tiny model repeats itself rather than ending, so the reply cannot finish on its own first.
        await using var server = await ServerFixture.StartAsync(o => o.Model.ContextSize = 4096);
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();

        using (var response = await client.PostMessageAsync(id, """{"content":"Write a very long story.","stream":true,"max_tokens":4000,"temperature":0}""",
            HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
            // Read until the first piece of the reply, then hang up.
            while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.Contains("\"type\":\"delta\"", StringComparison.Ordinal))
            {
            }
        }

        // The reply is stored when the server notices; wait for the store to have it (a bound on waiting, not a speed check).
        await server.Store.WaitForMessageAsync(m => m.SessionId == id && m.Role == ChatRole.Assistant)
            .WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var messages = await client.GetMessagesAsync(id);

        Assert.Equal(2, messages.Count);
        var reply = messages[1];
        Assert.Equal("cancelled", reply.GetProperty("finish_reason").GetString());
        Assert.Equal("partial", reply.GetProperty("status").GetString());
        Assert.NotEqual("", reply.GetProperty("content").GetString());
        Assert.InRange(reply.GetProperty("token_count").GetInt32(), 1, 3999);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsSessionsAndMessages()
    {
        await using var server = await ServerFixture.StartAsync();
        string id;
        IReadOnlyList<JsonElement> before;
        using (var client = server.CreateClient())
        {
            id = await client.CreateSessionAsync("kept", "Be brief.");
            await client.SendAsync(id, "remember me");
            before = await client.GetMessagesAsync(id);
        }

        await server.RestartAsync();

        using var after = server.CreateClient();
        using var session = await after.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var sessionJson = await session.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"title\":\"kept\"", sessionJson, StringComparison.Ordinal);
        Assert.Contains("\"message_count\":2", sessionJson, StringComparison.Ordinal);
        var messages = await after.GetMessagesAsync(id);
        Assert.Equal(before.Select(m => m.GetRawText()), messages.Select(m => m.GetRawText()));
        // And the conversation goes on.
        await after.SendAsync(id, "still there?");
        Assert.Equal(4, (await after.GetMessagesAsync(id)).Count);
    }

    [Fact]
    public async Task SendMessage_HistoryLongerThanTheContext_LeavesOutOldestAndSaysHowMany()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var paragraph = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 8));
        for (var i = 0; i < 4; i++)
        {
            var reply = await client.SendAsync(id, $"{i}: {paragraph}", maxTokens: 4);
            Assert.True(reply.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() <= TestEngine.ContextSize - 4);
        }

        // A reply budget of 300 leaves about 200 tokens of a 512 context: only the newest turns fit.
        var last = await client.SendAsync(id, "and the last one", maxTokens: 300);

        var omitted = last.GetProperty("omitted_messages").GetInt32();
        Assert.InRange(omitted, 2, 8);
        Assert.Equal(0, omitted % 2);
        Assert.True(last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() <= TestEngine.ContextSize - 300);
        Assert.Equal(10, (await client.GetMessagesAsync(id)).Count);
    }

    [Fact]
    public async Task SendMessage_QueueFull_Answers503WithRetryAfterAndTakesTheMessageBack()
    {
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.Model.ContextSize = 4096;
            o.Scheduler.MaxQueueDepth = 1;
        });
        using var alice = server.CreateClient(server.AliceKey);
        using var bob = server.CreateClient(server.BobKey);
        var running = await alice.CreateSessionAsync();
        var waiting = await bob.CreateSessionAsync();
        var refused = await alice.CreateSessionAsync();
        const string Long = """{"content":"Write a very long story.","stream":true,"max_tokens":4000,"temperature":0}""";

        using var first = await alice.PostMessageAsync(running, Long, HttpCompletionOption.ResponseHeadersRead);
        using var firstReader = new StreamReader(await first.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        await ReadUntilAsync(firstReader, "\"type\":\"delta\"");
        using var second = await bob.PostMessageAsync(waiting, Long, HttpCompletionOption.ResponseHeadersRead);
        using var secondReader = new StreamReader(await second.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        // The waiting turn is told its place in line as an SSE comment.
        await ReadUntilAsync(secondReader, ": queued 1");

        using var third = await alice.PostMessageAsync(refused, """{"content":"me too","stream":true}""");

        await ErrorAssert.IsErrorAsync(third, HttpStatusCode.ServiceUnavailable, "queue_full");
        Assert.True(third.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Empty(await alice.GetMessagesAsync(refused));
    }

    private static async Task ReadUntilAsync(StreamReader reader, string marker)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"the stream ended before '{marker}'");
    }
}
