using System.Net.Http.Json;
using System.Text.Json;
using Frugal.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>
/// The chat page end to end: headless Chromium against a real Frugal server (Kestrel on a loopback
/// port, SQLite, the real engine on the tiny synthesized model). Each test saves a screenshot.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(BrowserFixture browser, ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task SignIn_WrongKey_SaysSo()
    {
        var chat = await OpenAsync();

        await chat.SignInAsync("frugal-not-a-real-key");

        var error = chat.Page.Locator("#signin-error");
        await error.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("not accepted", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await chat.Page.Locator("#chat-view").IsHiddenAsync());
        Assert.Null(await chat.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('frugal.key')"));
        await Screenshots.SaveAsync(chat.Page, "signin-wrong-key");
    }

    [Fact]
    public async Task SignIn_ValidKey_ShowsChatsAndCreatesOne()
    {
        var chat = await OpenAsync();

        await chat.SignInAndWaitAsync(server.AliceKey);
        await chat.NewChatAsync();

        var current = chat.Page.Locator("#session-list [aria-current=true]");
        var id = await current.GetAttributeAsync("data-id");
        Assert.StartsWith("ses_", id, StringComparison.Ordinal);
        var sessions = await GetJsonAsync(server.AliceKey, "api/sessions");
        Assert.Contains(sessions.GetProperty("data").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.Equal(server.AliceKey, await chat.Page.EvaluateAsync<string>("() => sessionStorage.getItem('frugal.key')"));
        await Screenshots.SaveAsync(chat.Page, "signin-new-chat");
    }

    [Fact]
    public async Task Send_Message_StreamsReplyAndShowsFigures()
    {
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(24);

        var streamed = chat.Page.WaitForResponseAsync(r => r.Url.EndsWith("/messages", StringComparison.Ordinal) && r.Request.Method == "POST");
        await chat.TypeAndSendAsync("Hello there");
        var response = await streamed;
        var reply = await chat.WaitForReplyFinishedAsync(1);

        Assert.StartsWith("text/event-stream", response.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal("Hello there", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        var meta = await reply.Locator(".meta").InnerTextAsync();
        Assert.Contains("tokens/s", meta, StringComparison.Ordinal);
        Assert.Contains("first token", meta, StringComparison.Ordinal);
        // What streamed into the page is what the server stored.
        var stored = await MessagesAsync(server.AliceKey, await CurrentSessionIdAsync(chat));
        var assistant = stored.Last(m => m.GetProperty("role").GetString() == "assistant");
        var storedRendered = await chat.Page.EvaluateAsync<string>(
            "async text => (await import('/markdown.js')).renderMarkdown(text).textContent", assistant.GetProperty("content").GetString());
        Assert.Equal(storedRendered, await reply.Locator(".body").TextContentAsync());
        await Screenshots.SaveAsync(chat.Page, "send-streamed-reply");
    }

    [Fact]
    public async Task Send_FollowUpAndRepeatedDeterministicMessage_SayHowTheReplyWasMadeCheaply()
    {
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(6);
        await chat.SetTemperatureAsync(0);
        var text = "Say it again " + Guid.NewGuid().ToString("N");

        await chat.TypeAndSendAsync(text);
        var first = await (await chat.WaitForReplyFinishedAsync(1)).Locator(".meta").InnerTextAsync();
        await chat.TypeAndSendAsync("And once more");
        var followUp = await (await chat.WaitForReplyFinishedAsync(2)).Locator(".meta").InnerTextAsync();
        await chat.NewChatAsync();
        await chat.TypeAndSendAsync(text);
        var repeated = await chat.WaitForReplyFinishedAsync(1);

        Assert.DoesNotContain("from the response cache", first, StringComparison.Ordinal);
        // The follow-up is evaluated on top of the conversation kept from the first turn.
        Assert.Matches(@"\d+ prompt tokens reused", followUp);
        var cachedMeta = await repeated.Locator(".meta").InnerTextAsync();
        Assert.Contains("from the response cache", cachedMeta, StringComparison.Ordinal);
        Assert.DoesNotContain("tokens/s", cachedMeta, StringComparison.Ordinal);
        await Screenshots.SaveAsync(chat.Page, "send-cached-reply");
    }

    [Fact]
    public async Task Reload_AfterAReply_ShowsHistoryFromServer()
    {
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(16);
        await chat.TypeAndSendAsync("First question");
        await chat.WaitForReplyFinishedAsync(1);
        var replyText = await chat.AssistantMessages.Nth(0).Locator(".body").TextContentAsync();
        var sessionId = await CurrentSessionIdAsync(chat);

        await chat.Page.ReloadAsync();
        await chat.Page.Locator("#chat-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await chat.Page.WaitForFunctionAsync("() => document.querySelectorAll('#messages > li').length >= 2");

        Assert.Equal(sessionId, await CurrentSessionIdAsync(chat));
        Assert.Equal("First question", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        Assert.Equal(replyText, await chat.AssistantMessages.Nth(0).Locator(".body").TextContentAsync());
        await Screenshots.SaveAsync(chat.Page, "reload-history");
    }

    [Fact]
    public async Task Open_MessageSentWhileTheChatLoads_KeepsTheMessageAndItsReply()
    {
        var title = "loading " + Guid.NewGuid().ToString("N")[..8];
        string loadingId;
        using (var alice = server.CreateClient(server.AliceKey))
        {
            using var created = await alice.PostAsJsonAsync("api/sessions", new { title, system_prompt = "Answer briefly." },
                cancellationToken: TestContext.Current.CancellationToken);
            loadingId = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString()!;
        }

        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        // The chat's (empty) message list is read at once and answered only after the message below has its reply.
        using var hold = server.Store.HoldNextMessageList(loadingId);
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = title }).ClickAsync();
        await hold.Reached.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        await chat.SetMaxTokensAsync(8);
        await chat.TypeAndSendAsync("Sent while the chat loads");
        await chat.WaitForReplyFinishedAsync(1);
        hold.Release();
        // The load shows the system prompt and then, in the same step, would show its older list.
        await chat.Page.GetByText("System prompt: Answer briefly.").WaitForAsync();

        Assert.Equal(loadingId, await CurrentSessionIdAsync(chat));
        Assert.Equal(1, await chat.UserMessages.CountAsync());
        Assert.Equal("Sent while the chat loads", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        Assert.Equal(1, await chat.AssistantMessages.CountAsync());
        await Screenshots.SaveAsync(chat.Page, "send-while-loading");
    }

    [Fact]
    public async Task Sessions_SecondUser_DoesNotSeeFirstUsersChats()
    {
        var title = "alice-only " + Guid.NewGuid().ToString("N")[..8];
        using (var alice = server.CreateClient(server.AliceKey))
        {
            using var created = await alice.PostAsJsonAsync("api/sessions", new { title }, cancellationToken: TestContext.Current.CancellationToken);
            created.EnsureSuccessStatusCode();
        }

        var aliceChat = await SignedInAsync(server.AliceKey);
        await aliceChat.Page.GetByRole(AriaRole.Button, new() { Name = title }).WaitForAsync();
        var bobChat = await SignedInAsync(server.BobKey);

        Assert.Equal(0, await bobChat.Page.GetByText(title).CountAsync());
        var bobTitles = await bobChat.SessionButtons.AllTextContentsAsync();
        Assert.DoesNotContain(bobTitles, t => t.Contains("alice-only", StringComparison.Ordinal));
        await Screenshots.SaveAsync(aliceChat.Page, "isolation-alice");
        await Screenshots.SaveAsync(bobChat.Page, "isolation-bob");
    }

    [Fact]
    public async Task Send_InjectedImageMarkup_IsShownAsText()
    {
        const string Injection = "<img src=x onerror=\"window.pwned = true\"> <script>window.pwned = true</script>";
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(8);

        await chat.TypeAndSendAsync(Injection);
        await chat.WaitForReplyFinishedAsync(1);
        await chat.Page.ReloadAsync();
        await chat.Page.WaitForFunctionAsync("() => document.querySelectorAll('#messages > li.user').length >= 1");
        // Had the markup become an element, its image would have failed to load by the time one loaded after it
        // from the same broken address has: wait for that instead of for a while.
        await chat.Page.EvaluateAsync("() => new Promise(done => { const probe = new Image(); probe.onerror = done; probe.onload = done; probe.src = 'x'; })");

        Assert.Equal(Injection, await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        Assert.Equal(0, await chat.Page.Locator("#messages img, #messages script").CountAsync());
        Assert.False(await chat.Page.EvaluateAsync<bool>("() => window.pwned === true"));
        await Screenshots.SaveAsync(chat.Page, "injection-as-text");
    }

    [Fact]
    public async Task RenameAndDelete_CurrentChat_UpdatesServer()
    {
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        var id = await CurrentSessionIdAsync(chat);

        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await chat.Page.GetByLabel("Chat title").FillAsync("Renamed by the page");
        await chat.Page.GetByLabel("Chat title").PressAsync("Enter");
        await chat.Page.GetByRole(AriaRole.Heading, new() { Name = "Renamed by the page" }).WaitForAsync();
        Assert.Equal("Renamed by the page", (await GetJsonAsync(server.AliceKey, $"api/sessions/{id}")).GetProperty("title").GetString());
        await Screenshots.SaveAsync(chat.Page, "rename");

        chat.Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await chat.Page.WaitForFunctionAsync("id => !document.querySelector(`#session-list [data-id='${id}']`)", id);
        using var client = server.CreateClient(server.AliceKey);
        using var gone = await client.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task SignIn_KeyboardOnly_ReachesTheMessageBox()
    {
        var chat = await OpenAsync();

        await chat.Page.Keyboard.TypeAsync(server.AliceKey);
        await chat.Page.Keyboard.PressAsync("Enter");
        await chat.Page.Locator("#chat-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        // The page moves focus once the chat list has loaded, a moment after the view shows.
        await chat.Page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'composer-input'");

        Assert.Equal("composer-input", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));
        await chat.Page.Keyboard.PressAsync("Tab");
        Assert.Equal("send", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));
        await chat.Page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal("composer-input", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));
        await Screenshots.SaveAsync(chat.Page, "signin-keyboard");
    }

    [Fact]
    public async Task Composer_ShiftEnter_AddsLineAndEnterSends()
    {
        var chat = await SignedInAsync(server.AliceKey);
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(4);
        var box = chat.Page.GetByLabel("Message", new() { Exact = true });

        await box.FocusAsync();
        await chat.Page.Keyboard.TypeAsync("line one");
        await chat.Page.Keyboard.PressAsync("Shift+Enter");
        await chat.Page.Keyboard.TypeAsync("line two");
        Assert.Equal("line one\nline two", await box.InputValueAsync());
        Assert.Equal(0, await chat.UserMessages.CountAsync());
        await chat.Page.Keyboard.PressAsync("Enter");
        await chat.WaitForReplyFinishedAsync(1);

        Assert.Equal("", await box.InputValueAsync());
        Assert.Equal("line one\nline two", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
    }

    private async Task<ChatPage> OpenAsync(int width = 1280, int height = 800, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(server.BaseAddress, width, height, scheme);
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.OpenAsync();
        return chat;
    }

    private async Task<ChatPage> SignedInAsync(string key)
    {
        var chat = await OpenAsync();
        await chat.SignInAndWaitAsync(key);
        return chat;
    }

    private static async Task<string> CurrentSessionIdAsync(ChatPage chat) =>
        await chat.Page.Locator("#session-list [aria-current=true]").GetAttributeAsync("data-id")
        ?? throw new InvalidOperationException("No chat is selected.");

    private async Task<JsonElement> GetJsonAsync(string key, string path)
    {
        using var client = server.CreateClient(key);
        return await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));
    }

    private async Task<JsonElement[]> MessagesAsync(string key, string sessionId) =>
        [.. (await GetJsonAsync(key, $"api/sessions/{sessionId}/messages")).GetProperty("data").EnumerateArray()];
}
