using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Frugal.Tests.Endpoints;

/// <summary>What one user can store is bounded: sessions, messages, bytes, system prompt length; lists come in pages.</summary>
public sealed class StoredDataBoundsTests
{
    [Fact]
    public async Task CreateSession_OverTheSessionCap_403ForThatUserOnly()
    {
        await using var server = await TinyServer.StartAsync(o => o.Conversations.MaxSessionsPerUser = 2);
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);
        await alice.CreateSessionAsync("one");
        var second = await alice.CreateSessionAsync("two");

        using var third = await alice.PostAsJsonAsync("api/sessions", new { title = "three" }, cancellationToken: TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(third, HttpStatusCode.Forbidden, "storage_quota_exceeded");
        await bob.CreateSessionAsync("bob's first");
        using var deleted = await alice.DeleteAsync($"api/sessions/{second}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await alice.CreateSessionAsync("three, after a delete");
    }

    [Fact]
    public async Task SendMessage_OverTheMessageCap_403AndNothingStored()
    {
        await using var server = await TinyServer.StartAsync(o => o.Conversations.MaxMessagesPerUser = 2);
        using var alice = server.CreateClient();
        var id = await alice.CreateSessionAsync("chat");
        using (var first = await alice.PostAsJsonAsync($"api/sessions/{id}/messages", new { content = "Hi", max_tokens = 2 },
            cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var second = await alice.PostAsJsonAsync($"api/sessions/{id}/messages", new { content = "Again", max_tokens = 2 },
            cancellationToken: TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(second, HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Equal(2, (await alice.GetMessagesAsync(id)).Count);
    }

    [Fact]
    public async Task CreateSession_OverTheByteCap_403()
    {
        await using var server = await TinyServer.StartAsync(o => o.Conversations.MaxBytesPerUser = 1024);
        using var alice = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await alice.CreateSessionAsync(new string((char)('a' + i), 200));   // 1,000 bytes of titles
        }

        using var over = await alice.PostAsJsonAsync("api/sessions", new { title = new string('f', 200) }, cancellationToken: TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(over, HttpStatusCode.Forbidden, "storage_quota_exceeded");
    }

    [Theory]
    [InlineData(40_000)]   // over the character cap
    [InlineData(3_000)]    // under it, but more tokens than the tiny model's 512-token context
    public async Task CreateSession_SystemPromptThatCanNeverBeUsed_400(int length)
    {
        await using var server = await TinyServer.StartAsync();
        using var alice = server.CreateClient();
        var prompt = string.Join(' ', Enumerable.Repeat("word", length / 5));

        using var response = await alice.PostAsJsonAsync("api/sessions", new { system_prompt = prompt }, cancellationToken: TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "system_prompt_too_long");
        Assert.Equal("system_prompt", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ListSessions_Paged_NoSystemPromptsAndEverySessionOnce()
    {
        await using var server = await TinyServer.StartAsync();
        using var alice = server.CreateClient();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await alice.PostAsJsonAsync("api/sessions", new { title = $"s{i}", system_prompt = "secret instructions" },
                cancellationToken: TestContext.Current.CancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            created.Add(document.RootElement.GetProperty("id").GetString()!);
        }

        var seen = new List<string>();
        string? after = null;
        bool more;
        do
        {
            var text = await alice.GetStringAsync("api/sessions?limit=2" + (after is null ? "" : $"&after={after}"), TestContext.Current.CancellationToken);
            Assert.DoesNotContain("system_prompt", text, StringComparison.Ordinal);
            using var page = JsonDocument.Parse(text);
            seen.AddRange(page.RootElement.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
            more = page.RootElement.GetProperty("has_more").GetBoolean();
            after = page.RootElement.GetProperty("last_id").GetString();
        }
        while (more);

        Assert.Equal(created.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        using var zero = await alice.GetAsync("api/sessions?limit=0", TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(zero, HttpStatusCode.BadRequest, "invalid_value");
        using var huge = await alice.GetAsync("api/sessions?limit=100000", TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(huge, HttpStatusCode.BadRequest, "invalid_value");
    }
}
