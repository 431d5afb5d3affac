using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Frugal.Tests.Endpoints;

public sealed class SessionsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static Uri Url(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task CreateSession_WithTitleAndSystemPrompt_AnswersTheSession()
    {
        using var client = server.CreateClient();
        using var response = await client.PostAsJsonAsync(Url("api/sessions"), new { title = "Trip", system_prompt = "Be brief." },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var session = document.RootElement;
        var id = session.GetProperty("id").GetString()!;
        Assert.StartsWith("ses_", id, StringComparison.Ordinal);
        Assert.Equal("session", session.GetProperty("object").GetString());
        Assert.Equal("Trip", session.GetProperty("title").GetString());
        Assert.Equal("Be brief.", session.GetProperty("system_prompt").GetString());
        Assert.Equal(0, session.GetProperty("message_count").GetInt32());
        Assert.Equal($"/api/sessions/{id}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task CreateSession_EmptyObject_CreatesUntitledSession()
    {
        using var client = server.CreateClient();
        using var response = await client.PostAsync(Url("api/sessions"), new StringContent("{}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("title").ValueKind);
    }

    [Fact]
    public async Task SessionCrud_RenameListDelete_Works()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync("before");

        using (var renamed = await client.PatchAsJsonAsync(Url($"api/sessions/{id}"), new { title = "after" }, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Contains("\"title\":\"after\"", await renamed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using (var list = await client.GetAsync(Url("api/sessions"), TestContext.Current.CancellationToken))
        {
            using var document = JsonDocument.Parse(await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("list", document.RootElement.GetProperty("object").GetString());
            Assert.Contains(document.RootElement.GetProperty("data").EnumerateArray(),
                s => s.GetProperty("id").GetString() == id && s.GetProperty("title").GetString() == "after");
        }

        using (var deleted = await client.DeleteAsync(Url($"api/sessions/{id}"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Contains("\"deleted\":true", await deleted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var gone = await client.GetAsync(Url($"api/sessions/{id}"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(gone, HttpStatusCode.NotFound, "session_not_found");
        using var again = await client.DeleteAsync(Url($"api/sessions/{id}"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(again, HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task OtherUsersSession_EveryRoute_Answers404LikeAnUnknownId()
    {
        using var alice = server.CreateClient(server.AliceKey);
        using var bob = server.CreateClient(server.BobKey);
        var id = await alice.CreateSessionAsync("alice's", "secret system prompt");
        await alice.SendAsync(id, "hello");
        var unknown = "ses_" + new string('x', 20);

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "api/sessions/{0}", null),
            (HttpMethod.Patch, "api/sessions/{0}", """{"title":"mine now"}"""),
            (HttpMethod.Delete, "api/sessions/{0}", null),
            (HttpMethod.Get, "api/sessions/{0}/messages", null),
            (HttpMethod.Post, "api/sessions/{0}/messages", """{"content":"hi","stream":false}"""),
        })
        {
            var foreign = await SendAsync(bob, method, string.Format(null, path, id), body);
            var missing = await SendAsync(bob, method, string.Format(null, path, unknown), body);
            Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
            Assert.Equal(missing.Body.Replace(unknown, "ID", StringComparison.Ordinal), foreign.Body.Replace(id, "ID", StringComparison.Ordinal));
        }

        using var bobsList = await bob.GetAsync(Url("api/sessions"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(id, await bobsList.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        // Nothing bob did changed alice's session.
        var messages = await alice.GetMessagesAsync(id);
        Assert.Equal(2, messages.Count);
        using var still = await alice.GetAsync(Url($"api/sessions/{id}"), TestContext.Current.CancellationToken);
        using var stillJson = JsonDocument.Parse(await still.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("alice's", stillJson.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task SendMessage_StreamFalse_AnswersJsonAndStoresBothMessages()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();

        var reply = await client.SendAsync(id, "Tell me a story.", maxTokens: 6);

        Assert.Equal("session.reply", reply.GetProperty("object").GetString());
        var message = reply.GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Contains(reply.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        var usage = reply.GetProperty("usage");
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 6);
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal(0, reply.GetProperty("omitted_messages").GetInt32());

        var messages = await client.GetMessagesAsync(id);
        Assert.Equal(["user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Tell me a story.", messages[0].GetProperty("content").GetString());
        Assert.True(messages[0].GetProperty("token_count").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Null, messages[0].GetProperty("finish_reason").ValueKind);
        Assert.Equal(message.GetProperty("content").GetString(), messages[1].GetProperty("content").GetString());
        Assert.Equal(message.GetProperty("id").GetInt64(), messages[1].GetProperty("id").GetInt64());
        Assert.Equal("complete", messages[1].GetProperty("status").GetString());
        Assert.True(messages[0].GetProperty("id").GetInt64() < messages[1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task SendMessage_StreamTrue_FramesStartDeltasDone()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.PostMessageAsync(id, """{"content":"Say something.","stream":true,"max_tokens":8,"temperature":0}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var (events, _) = SseReader.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var elapsedMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal("start", events[0].GetProperty("type").GetString());
        Assert.Equal("Say something.", events[0].GetProperty("user_message").GetProperty("content").GetString());
        Assert.Equal("done", events[^1].GetProperty("type").GetString());
        var deltas = events.Skip(1).SkipLast(1).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, e => Assert.Equal("delta", e.GetProperty("type").GetString()));
        var streamed = string.Concat(deltas.Select(e => e.GetProperty("content").GetString()));

        var done = events[^1];
        Assert.Equal(streamed, done.GetProperty("message").GetProperty("content").GetString());
        Assert.Contains(done.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        var completionTokens = done.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.InRange(completionTokens, 1, 8);
        Assert.Equal(0, done.GetProperty("omitted_messages").GetInt32());
        // The first token came after the prompt was read, within the request this test timed around it.
        Assert.InRange(done.GetProperty("ttft_ms").GetDouble(), double.Epsilon, elapsedMs);
        // Decode speed counts the tokens after the first: none when one token was all.
        var decodeRate = done.GetProperty("tokens_per_second").GetDouble();
        Assert.True(completionTokens > 1 ? decodeRate > 0 : decodeRate == 0, $"{decodeRate} tokens/s for {completionTokens} tokens");
        var stored = await client.GetMessagesAsync(id);
        Assert.Equal(streamed, stored[^1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task SendMessage_SameSessionTwice_SecondTurnSeesTheFirst()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var first = await client.SendAsync(id, "one");
        var second = await client.SendAsync(id, "two");

        Assert.True(second.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()
            > first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, (await client.GetMessagesAsync(id)).Count);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, Url(path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
