using Frugal.Web.Tests.Infrastructure;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>
/// Stopping a reply and waiting in the queue, end to end: headless Chromium against a real server on
/// the slow synthesized model (<see cref="SlowModelServer"/>), so a reply is still being written when the
/// test acts. The tests act on what the page shows (the first streamed text, the queued note), and the
/// long reply only ever ends because the test stops it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageStopAndQueueTests(BrowserFixture browser, SlowModelServer slow) : IClassFixture<SlowModelServer>
{
    // Finds how much of the stored text the page had shown: the longest prefix that renders as the page's text.
    private const string ShownPrefixScript = """
        async ([stored, shown]) => {
          const { renderMarkdown } = await import("/markdown.js");
          for (let i = stored.length; i > 0; i--) {
            if (renderMarkdown(stored.slice(0, i)).textContent === shown) return i;
          }
          return 0;
        }
        """;

    [Fact]
    public async Task Stop_WhileReplyStreams_KeepsPartialReplyMarkedStoppedAfterReload()
    {
        var server = slow.Server;
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await StartLongReplyAsync(chat);

        await chat.StopAsync();
        var reply = await chat.WaitForReplyFinishedAsync(1);

        // The page keeps what streamed, marked stopped, and is ready for the next message.
        var shown = await reply.Locator(".body").TextContentAsync() ?? "";
        Assert.NotEmpty(shown);
        Assert.Equal("stopped", await reply.GetAttributeAsync("data-finish"));
        Assert.Contains("stopped", await reply.Locator(".meta").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await chat.Page.Locator("#send").IsVisibleAsync());
        Assert.True(await chat.Page.Locator("#stop").IsHiddenAsync());
        await Screenshots.SaveAsync(chat.Page, "stop-reply");

        // The server stopped generating: it stored the partial reply long before its token budget.
        var sessionId = await chat.CurrentSessionIdAsync();
        var stored = await server.WaitForStoredReplyAsync(server.AliceKey, sessionId);
        Assert.Equal("cancelled", stored.GetProperty("finish_reason").GetString());
        Assert.Equal("partial", stored.GetProperty("status").GetString());
        Assert.InRange(stored.GetProperty("token_count").GetInt32(), 1, SlowModelServer.LongReplyTokens - 1);
        var storedText = stored.GetProperty("content").GetString() ?? "";
        Assert.True(await chat.Page.EvaluateAsync<int>(ShownPrefixScript, new[] { storedText, shown }) > 0,
            "What the page showed is not the start of the stored reply.");
        var status = await server.GetJsonAsync(server.AliceKey, "status");
        Assert.Equal(0, status.GetProperty("active_generations").GetInt32());
        Assert.Equal(0, status.GetProperty("queue_depth").GetInt32());

        // After a reload the history shows the stored partial reply, still marked stopped.
        await chat.Page.ReloadAsync();
        await chat.Page.WaitForFunctionAsync("() => document.querySelectorAll('#messages > li.assistant').length >= 1");
        var reloaded = chat.AssistantMessages.Nth(0);
        Assert.Equal(sessionId, await chat.CurrentSessionIdAsync());
        Assert.Equal(SlowModelServer.LongPrompt, await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        Assert.Equal("stopped", await reloaded.GetAttributeAsync("data-finish"));
        Assert.Contains("stopped", await reloaded.Locator(".meta").InnerTextAsync(), StringComparison.Ordinal);
        var storedRendered = await chat.Page.EvaluateAsync<string>(
            "async text => (await import('/markdown.js')).renderMarkdown(text).textContent", storedText);
        Assert.Equal(storedRendered, await reloaded.Locator(".body").TextContentAsync());
        await Screenshots.SaveAsync(chat.Page, "stop-reply-reloaded");
    }

    [Fact]
    public async Task Queue_SecondUserWhileAReplyStreams_ShowsPositionThenTheReply()
    {
        var server = slow.Server;
        // Both pages are ready before the worker gets busy: while a reply streams, the box has little CPU to spare.
        var alice = await SignedInAsync(server.AliceKey);
        await alice.NewChatAsync();
        var bob = await SignedInAsync(server.BobKey);
        await bob.NewChatAsync();
        await bob.SetMaxTokensAsync(8);

        // The one worker is busy with alice's reply: bob's message waits, and his page says where.
        await StartLongReplyAsync(alice);
        await bob.TypeAndSendAsync("Are you there?");
        await bob.Page.WaitForFunctionAsync(
            "() => document.querySelector('#messages > li.assistant .note')?.textContent.includes('position')",
            null, new() { Timeout = 60_000, PollingInterval = 50 });

        var waiting = bob.AssistantMessages.Nth(0);
        Assert.Equal("Waiting in the queue: position 1", await waiting.Locator(".note").InnerTextAsync());
        Assert.Equal("true", await waiting.GetAttributeAsync("aria-busy"));
        Assert.Equal("Waiting in the queue: position 1", await bob.Page.Locator("#chat-status").InnerTextAsync());
        await bob.Page.WaitForFunctionAsync("() => document.getElementById('memory').textContent.endsWith('queue 1')");
        var status = await server.GetJsonAsync(server.BobKey, "status");
        Assert.Equal(new[] { 1 }, status.GetProperty("your_queue_positions").EnumerateArray().Select(p => p.GetInt32()).ToArray());
        Assert.Equal(1, status.GetProperty("active_generations").GetInt32());
        await Screenshots.SaveAsync(bob.Page, "queue-position");

        // Once alice stops hers, bob's reply is written and arrives whole.
        await alice.StopAsync();
        var reply = await bob.WaitForReplyFinishedAsync(1);

        Assert.NotEmpty(await reply.Locator(".body").TextContentAsync() ?? "");
        Assert.Equal(0, await reply.Locator(".note, .error").CountAsync());
        Assert.Contains("tokens/s", await reply.Locator(".meta").InnerTextAsync(), StringComparison.Ordinal);
        var stored = await server.WaitForStoredReplyAsync(server.BobKey, await bob.CurrentSessionIdAsync());
        Assert.Equal("complete", stored.GetProperty("status").GetString());
        Assert.Equal("stopped", await alice.AssistantMessages.Nth(0).GetAttributeAsync("data-finish"));
        await Screenshots.SaveAsync(bob.Page, "queue-reply");
    }

    /// <summary>Sends the long prompt greedily with a large budget and waits until its reply shows text.</summary>
    private static async Task StartLongReplyAsync(ChatPage chat)
    {
        await chat.SetMaxTokensAsync(SlowModelServer.LongReplyTokens);
        await chat.SetTemperatureAsync(0);
        await chat.TypeAndSendAsync(SlowModelServer.LongPrompt);
        await chat.WaitForReplyTextAsync(1);
    }

    private async Task<ChatPage> SignedInAsync(string key)
    {
        var context = await browser.NewContextAsync(slow.Server.BaseAddress);
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.OpenAsync();
        await chat.SignInAndWaitAsync(key);
        return chat;
    }
}
