using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// Versions of messages through <c>/api/sessions</c> on the real server and engine: regenerate a reply, edit a user's
/// message, browse the versions; per-chat system prompt and settings; export and import. Another user sees none of it.
/// </summary>
public sealed class SessionVersionsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Regenerate_LastReply_KeepsBothVersionsAndShowsTheNewOne()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var first = await client.SendAsync(id, "hello");
        var userId = first.GetProperty("user_message").GetProperty("id").GetInt64();
        var oldReply = first.GetProperty("message").GetProperty("id").GetInt64();

        var again = await PostJsonAsync(client, $"api/sessions/{id}/messages/{oldReply}/regenerate", new { stream = false, max_tokens = 8, seed = 7 });

        var newReply = again.GetProperty("message");
        Assert.Equal(userId, again.GetProperty("user_message").GetProperty("id").GetInt64());
        Assert.Equal(userId, newReply.GetProperty("parent_id").GetInt64());
        var messages = await client.GetMessagesAsync(id);
        Assert.Equal([userId, newReply.GetProperty("id").GetInt64()], messages.Select(m => m.GetProperty("id").GetInt64()));
        Assert.Equal([oldReply, newReply.GetProperty("id").GetInt64()], Versions(messages[1]));
        Assert.Equal([userId], Versions(messages[0]));

        var shown = await PostJsonAsync(client, $"api/sessions/{id}/messages/{oldReply}/select", new { });
        Assert.Equal([userId, oldReply], shown.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.Equal(oldReply, (await GetJsonAsync(client, $"api/sessions/{id}")).GetProperty("current_message_id").GetInt64());
    }

    [Fact]
    public async Task Regenerate_WholeAndStreamedAnswers_CarryTheVersionsTheMessageListShows()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var first = await client.SendAsync(id, "hello");
        var userId = first.GetProperty("user_message").GetProperty("id").GetInt64();
        var oldReply = first.GetProperty("message").GetProperty("id").GetInt64();

        var whole = await PostJsonAsync(client, $"api/sessions/{id}/messages/{oldReply}/regenerate", new { stream = false, max_tokens = 4, seed = 7 });
        using var response = await client.PostAsJsonAsync($"api/sessions/{id}/messages/{oldReply}/regenerate", new { stream = true, max_tokens = 4, seed = 8 },
            TestContext.Current.CancellationToken);
        var (events, _) = SseReader.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var edited = await PostJsonAsync(client, $"api/sessions/{id}/messages", new { content = "hello, edited", version_of = userId, stream = false, max_tokens = 4 });

        var wholeReply = whole.GetProperty("message").GetProperty("id").GetInt64();
        Assert.Equal([userId], Versions(first.GetProperty("user_message")));
        Assert.Equal([oldReply], Versions(first.GetProperty("message")));
        Assert.Equal([userId], Versions(whole.GetProperty("user_message")));
        Assert.Equal([oldReply, wholeReply], Versions(whole.GetProperty("message")));
        var start = events.Single(e => e.GetProperty("type").GetString() == "start");
        var done = events.Single(e => e.GetProperty("type").GetString() == "done");
        var streamedReply = done.GetProperty("message").GetProperty("id").GetInt64();
        Assert.Equal([userId], Versions(start.GetProperty("user_message")));
        Assert.Equal([oldReply, wholeReply, streamedReply], Versions(done.GetProperty("message")));
        var editedId = edited.GetProperty("user_message").GetProperty("id").GetInt64();
        Assert.Equal([userId, editedId], Versions(edited.GetProperty("user_message")));
        var listed = await client.GetMessagesAsync(id);
        Assert.Equal(Versions(edited.GetProperty("user_message")), Versions(listed[0]));
        Assert.Equal(Versions(edited.GetProperty("message")), Versions(listed[1]));
    }

    [Fact]
    public async Task Edit_UserMessage_StartsANewBranchAndKeepsTheOldOneWhole()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var one = await client.SendAsync(id, "one");
        var two = await client.SendAsync(id, "two");
        var oneId = one.GetProperty("user_message").GetProperty("id").GetInt64();
        var twoReply = two.GetProperty("message").GetProperty("id").GetInt64();

        var edited = await PostJsonAsync(client, $"api/sessions/{id}/messages", new { content = "one, edited", version_of = oneId, stream = false, max_tokens = 8 });

        var editedId = edited.GetProperty("user_message").GetProperty("id").GetInt64();
        var messages = await client.GetMessagesAsync(id);
        Assert.Equal(["one, edited", edited.GetProperty("message").GetProperty("content").GetString()], messages.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal([oneId, editedId], Versions(messages[0]));

        // The old version comes back with everything that followed it, down to its last reply.
        var old = await PostJsonAsync(client, $"api/sessions/{id}/messages/{oneId}/select", new { });
        var branch = old.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["one", "two"], branch.Where(m => m.GetProperty("role").GetString() == "user").Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(twoReply, branch[^1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Edit_EarlierMessage_ModelReadsOnlyTheNewBranchAndReusesThePrefix()
    {
        // No response cache: every reply below comes from the engine, so equal replies mean equal prompts were read.
        await using var own = await ServerFixture.StartAsync(o => o.ResponseCache.MaxBytes = Frugal.ByteSize.Zero);
        using var client = own.CreateClient();
        var fresh = await client.CreateSessionAsync(systemPrompt: "Answer briefly.");
        _ = await client.SendAsync(fresh, "one", maxTokens: 12);
        var expected = await client.SendAsync(fresh, "three", maxTokens: 12);

        var branched = await client.CreateSessionAsync(systemPrompt: "Answer briefly.");
        _ = await client.SendAsync(branched, "one", maxTokens: 12);
        var two = await client.SendAsync(branched, "two", maxTokens: 12);
        var actual = await PostJsonAsync(client, $"api/sessions/{branched}/messages",
            new { content = "three", version_of = two.GetProperty("user_message").GetProperty("id").GetInt64(), stream = false, max_tokens = 12, temperature = 0 });

        Assert.Equal(expected.GetProperty("message").GetProperty("content").GetString(), actual.GetProperty("message").GetProperty("content").GetString());
        var usage = actual.GetProperty("usage");
        Assert.Equal(expected.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens").GetInt32());
        // The kept state of the other branch was used up to the branch point only.
        Assert.InRange(usage.GetProperty("cached_prompt_tokens").GetInt32(), 1, usage.GetProperty("prompt_tokens").GetInt32() - 2);
    }

    [Fact]
    public async Task Regenerate_WithSameSeed_GivesTheSameReplyAsTheFirstTime()
    {
        await using var own = await ServerFixture.StartAsync(o => o.ResponseCache.MaxBytes = Frugal.ByteSize.Zero);
        using var client = own.CreateClient();
        var id = await client.CreateSessionAsync();
        var first = await PostJsonAsync(client, $"api/sessions/{id}/messages", new { content = "tell me", stream = false, max_tokens = 10, seed = 42, temperature = 1 });
        _ = await client.SendAsync(id, "and then?");
        var userId = first.GetProperty("user_message").GetProperty("id").GetInt64();

        var again = await PostJsonAsync(client, $"api/sessions/{id}/messages/{userId}/regenerate", new { stream = false, max_tokens = 10, seed = 42, temperature = 1 });

        Assert.Equal(first.GetProperty("message").GetProperty("content").GetString(), again.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(2, Versions((await client.GetMessagesAsync(id))[1]).Count);
    }

    [Fact]
    public async Task Patch_SystemPromptAndSettings_KeptAndUsedByTheNextSend()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync("title");

        using (var patched = await client.PatchAsJsonAsync($"api/sessions/{id}",
            new { system_prompt = "You are terse.", settings = new { max_tokens = 3, temperature = 0, top_p = 0.9, top_k = 5, seed = 11 } },
            cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        var session = await GetJsonAsync(client, $"api/sessions/{id}");
        Assert.Equal(("title", "You are terse."), (session.GetProperty("title").GetString(), session.GetProperty("system_prompt").GetString()));
        var settings = session.GetProperty("settings");
        Assert.Equal((3, 0.0, 0.9, 5, 11L), (settings.GetProperty("max_tokens").GetInt32(), settings.GetProperty("temperature").GetDouble(),
            settings.GetProperty("top_p").GetDouble(), settings.GetProperty("top_k").GetInt32(), settings.GetProperty("seed").GetInt64()));
        var reply = await PostJsonAsync(client, $"api/sessions/{id}/messages", new { content = "Write a long story.", stream = false });
        Assert.InRange(reply.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 3);

        using var cleared = await client.PatchAsJsonAsync($"api/sessions/{id}", new { settings = (object?)null },
            cancellationToken: TestContext.Current.CancellationToken);
        var after = await GetJsonAsync(client, $"api/sessions/{id}");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("settings").GetProperty("max_tokens").ValueKind);
        Assert.Equal("You are terse.", after.GetProperty("system_prompt").GetString());
    }

    [Theory]
    [InlineData("{\"settings\": {\"temperature\": 5}}", "temperature")]
    [InlineData("{\"settings\": {\"top_p\": 1.5}}", "top_p")]
    [InlineData("{\"settings\": {\"top_k\": 0}}", "top_k")]
    [InlineData("{\"settings\": {\"max_tokens\": 0}}", "max_tokens")]
    [InlineData("{\"settings\": {\"max_tokens\": 100000}}", "max_tokens")]
    [InlineData("{\"settings\": {\"temperature\": \"hot\"}}", "settings")]
    [InlineData("{\"settings\": 3}", "settings")]
    [InlineData("{\"system_prompt\": 5}", "system_prompt")]
    [InlineData("{\"title\": [1]}", "title")]
    public async Task Patch_BadValue_Answers400AndChangesNothing(string json, string param)
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync("kept", "kept prompt");

        using var response = await client.PatchAsync($"api/sessions/{id}", new StringContent(json, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.GetProperty("param").GetString());
        var session = await GetJsonAsync(client, $"api/sessions/{id}");
        Assert.Equal(("kept", "kept prompt"), (session.GetProperty("title").GetString(), session.GetProperty("system_prompt").GetString()));
        Assert.Equal(JsonValueKind.Null, session.GetProperty("settings").GetProperty("temperature").ValueKind);
    }

    [Fact]
    public async Task VersionRoutes_BadOrUnknownMessage_Answer4xxAndStoreNothing()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var sent = await client.SendAsync(id, "hello");
        var reply = sent.GetProperty("message").GetProperty("id").GetInt64();
        var other = await client.CreateSessionAsync();
        var elsewhere = (await client.SendAsync(other, "elsewhere")).GetProperty("user_message").GetProperty("id").GetInt64();

        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages/abc/regenerate", "{}"), HttpStatusCode.BadRequest, "invalid_value");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages/999999/regenerate", "{}"), HttpStatusCode.NotFound, "message_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages/{elsewhere}/regenerate", "{}"), HttpStatusCode.NotFound, "message_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages/{elsewhere}/select", "{}"), HttpStatusCode.NotFound, "message_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages", JsonSerializer.Serialize(new { content = "x", version_of = reply })),
            HttpStatusCode.BadRequest, "not_a_user_message");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages", JsonSerializer.Serialize(new { content = "x", version_of = elsewhere })),
            HttpStatusCode.NotFound, "message_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages", JsonSerializer.Serialize(new { content = " ", version_of = 1 })),
            HttpStatusCode.BadRequest, "empty_content");
        await ErrorAssert.IsErrorAsync(await PostAsync(client, $"api/sessions/{id}/messages/{reply}/regenerate", "{\"temperature\": 9}"), HttpStatusCode.BadRequest,
            "invalid_value");
        await ErrorAssert.IsErrorAsync(await client.GetAsync($"api/sessions/{id}/export?format=pdf", TestContext.Current.CancellationToken), HttpStatusCode.BadRequest,
            "invalid_value");

        Assert.Equal(2, (await client.GetMessagesAsync(id)).Count);
        Assert.Equal(2, (await GetJsonAsync(client, $"api/sessions/{id}")).GetProperty("message_count").GetInt32());
    }

    [Fact]
    public async Task OtherUser_CannotSeeOrChangeVersionsExportOrSettings()
    {
        using var alice = server.CreateClient(server.AliceKey);
        using var bob = server.CreateClient(server.BobKey);
        var id = await alice.CreateSessionAsync("alice's", "secret");
        var sent = await alice.SendAsync(id, "hello");
        var user = sent.GetProperty("user_message").GetProperty("id").GetInt64();
        var bobs = await bob.CreateSessionAsync();

        await ErrorAssert.IsErrorAsync(await PostAsync(bob, $"api/sessions/{id}/messages/{user}/regenerate", "{}"), HttpStatusCode.NotFound, "session_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(bob, $"api/sessions/{id}/messages/{user}/select", "{}"), HttpStatusCode.NotFound, "session_not_found");
        await ErrorAssert.IsErrorAsync(await bob.GetAsync($"api/sessions/{id}/export", TestContext.Current.CancellationToken), HttpStatusCode.NotFound,
            "session_not_found");
        await ErrorAssert.IsErrorAsync(await bob.GetAsync($"api/sessions/{id}/export?format=markdown", TestContext.Current.CancellationToken), HttpStatusCode.NotFound,
            "session_not_found");
        await ErrorAssert.IsErrorAsync(await bob.PatchAsJsonAsync($"api/sessions/{id}", new { system_prompt = "mine", settings = new { temperature = 1 } },
            cancellationToken: TestContext.Current.CancellationToken), HttpStatusCode.NotFound, "session_not_found");
        // Bob's own session cannot take alice's message as a parent, nor regenerate it.
        await ErrorAssert.IsErrorAsync(await PostAsync(bob, $"api/sessions/{bobs}/messages", JsonSerializer.Serialize(new { content = "x", version_of = user })),
            HttpStatusCode.NotFound, "message_not_found");
        await ErrorAssert.IsErrorAsync(await PostAsync(bob, $"api/sessions/{bobs}/messages/{user}/regenerate", "{}"), HttpStatusCode.NotFound, "message_not_found");

        var session = await GetJsonAsync(alice, $"api/sessions/{id}");
        Assert.Equal("secret", session.GetProperty("system_prompt").GetString());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("settings").GetProperty("temperature").ValueKind);
        Assert.Equal(2, (await alice.GetMessagesAsync(id)).Count);
        Assert.Empty(await bob.GetMessagesAsync(bobs));
    }

    [Fact]
    public async Task ExportThenImport_Json_GivesTheSameConversationWithEveryVersion()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync("to export", "be kind");
        using (var _ = await client.PatchAsJsonAsync($"api/sessions/{id}", new { settings = new { temperature = 0.5 } },
            cancellationToken: TestContext.Current.CancellationToken)) { }
        var sent = await client.SendAsync(id, "hello");
        var reply = sent.GetProperty("message").GetProperty("id").GetInt64();
        _ = await PostJsonAsync(client, $"api/sessions/{id}/messages/{reply}/regenerate", new { stream = false, max_tokens = 6 });
        var original = await client.GetMessagesAsync(id);

        using var exported = await client.GetAsync($"api/sessions/{id}/export", TestContext.Current.CancellationToken);
        var export = await exported.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var imported = await client.PostAsync("api/sessions/import", new StringContent(export, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var session = JsonDocument.Parse(await imported.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        var copy = session.GetProperty("id").GetString()!;
        Assert.NotEqual(id, copy);
        Assert.Equal(("to export", "be kind", 0.5, 3), (session.GetProperty("title").GetString(), session.GetProperty("system_prompt").GetString(),
            session.GetProperty("settings").GetProperty("temperature").GetDouble(), session.GetProperty("message_count").GetInt32()));
        var messages = await client.GetMessagesAsync(copy);
        Assert.Equal(original.Select(m => m.GetProperty("content").GetString()), messages.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(2, Versions(messages[1]).Count);
        // The copy continues like any session.
        _ = await client.SendAsync(copy, "and more");
    }

    [Fact]
    public async Task Export_Markdown_HasTitleSystemPromptAndTheBranchShown()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync("Markdown chat", "Be brief.");
        var sent = await client.SendAsync(id, "What is **bold**?");

        using var response = await client.GetAsync($"api/sessions/{id}/export?format=markdown", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/markdown", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("# Markdown chat\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("> Be brief.", text, StringComparison.Ordinal);
        Assert.Contains("## You", text, StringComparison.Ordinal);
        Assert.Contains("What is **bold**?", text, StringComparison.Ordinal);
        Assert.Contains(sent.GetProperty("message").GetProperty("content").GetString()!, text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadImports => new()
    {
        { "{\"format\": \"something else\", \"version\": 1, \"messages\": []}", "format" },
        { "{\"format\": \"frugal.chat\", \"version\": 9, \"messages\": []}", "version" },
        { "{\"format\": \"frugal.chat\", \"version\": 1}", "messages" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"wizard\", \"content\": \"x\"}]}", "messages[0].role" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"user\"}]}", "messages[0].content" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "messages[0].id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"user\", \"content\": \"q\"}, {\"id\": 2, \"parent_id\": 3, \"role\": \"assistant\", \"content\": \"a\"}, {\"id\": 3, \"role\": \"user\", \"content\": \"late\"}]}", "messages[1].parent_id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"user\", \"content\": \"q\"}, {\"id\": 1, \"parent_id\": 1, \"role\": \"assistant\", \"content\": \"a\"}]}", "messages[1].id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"assistant\", \"content\": \"a\"}]}", "messages[0].parent_id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"user\", \"content\": \"q\"}, {\"id\": 2, \"parent_id\": 1, \"role\": \"user\", \"content\": \"q2\"}]}", "messages[1].parent_id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"current_message_id\": 5, \"messages\": [{\"id\": 1, \"role\": \"user\", \"content\": \"q\"}]}",
            "current_message_id" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"user\", \"content\": \"q\", \"status\": \"odd\"}]}",
            "messages[0].status" },
        { "{\"format\": \"frugal.chat\", \"version\": 1, \"settings\": {\"temperature\": 7}, \"messages\": []}", "temperature" },
    };

    [Theory]
    [MemberData(nameof(BadImports))]
    public async Task Import_BadFile_Answers400NamingTheFaultAndStoresNothing(string json, string param)
    {
        await using var own = await ServerFixture.StartAsync();
        using var client = own.CreateClient();

        using var response = await client.PostAsync("api/sessions/import", new StringContent(json, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty((await GetJsonAsync(client, "api/sessions")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Import_NotJson_Answers400()
    {
        using var client = server.CreateClient();
        using var response = await client.PostAsync("api/sessions/import", new StringContent("# a markdown file", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest);
    }

    private static IReadOnlyList<long> Versions(JsonElement message) => [.. message.GetProperty("versions").EnumerateArray().Select(v => v.GetInt64())];

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
