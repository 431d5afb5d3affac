using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Frugal.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>
/// The chat page's richer conversation tools end to end (headless Chromium, the real server and engine): a system prompt
/// per chat, regenerate and edit with every version kept and browsable, copy a reply, export and import, reply options kept
/// per chat. What the page shows is checked against what the server stored.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageVersionsTests(BrowserFixture browser, ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly PageWaitForFunctionOptions LongWait = new() { Timeout = 120_000, PollingInterval = 50 };

    [Fact]
    public async Task SystemPrompt_SavedInThePage_KeptWithTheChatAndShownAfterReload()
    {
        var chat = await SignedInAsync();
        await chat.NewChatAsync();

        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "System prompt" }).ClickAsync();
        await chat.Page.GetByLabel("System prompt for this chat").FillAsync("Answer like a pirate.");
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await chat.Page.Locator("#system-summary").WaitForAsync(new() { State = WaitForSelectorState.Visible });

        var id = await chat.CurrentSessionIdAsync();
        Assert.Equal("Answer like a pirate.", (await GetJsonAsync($"api/sessions/{id}")).GetProperty("system_prompt").GetString());
        await chat.TypeAndSendAsync("Who are you?");
        await chat.WaitForReplyFinishedAsync(1);
        await chat.Page.ReloadAsync();
        await chat.Page.Locator("#system-summary").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("Answer like a pirate.", await chat.Page.Locator("#system-summary").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(chat.Page, "system-prompt");
    }

    [Fact]
    public async Task Regenerate_LastReply_ShowsTheNewVersionAndTheOldOneStaysBrowsable()
    {
        var chat = await SignedInAsync();
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(8);
        await chat.TypeAndSendAsync("Tell me something");
        await chat.WaitForReplyFinishedAsync(1);
        var id = await chat.CurrentSessionIdAsync();
        var first = (await MessagesAsync(id))[1];

        await chat.AssistantMessages.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        var count = chat.AssistantMessages.Nth(0).Locator(".version-count");
        await Assertions.Expect(count).ToHaveTextAsync("2 / 2", new() { Timeout = 120_000 });

        var shown = await MessagesAsync(id);
        Assert.Equal(2, shown.Length);
        var second = shown[1];
        Assert.NotEqual(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        Assert.Equal(await RenderedAsync(chat, second), await chat.AssistantMessages.Nth(0).Locator(".body").TextContentAsync());
        await Screenshots.SaveAsync(chat.Page, "regenerate-second-version");

        await chat.AssistantMessages.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Assertions.Expect(chat.AssistantMessages.Nth(0).Locator(".version-count")).ToHaveTextAsync("1 / 2");
        Assert.Equal(await RenderedAsync(chat, first), await chat.AssistantMessages.Nth(0).Locator(".body").TextContentAsync());
        Assert.Equal(first.GetProperty("id").GetInt64(), (await MessagesAsync(id))[1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Edit_UserMessage_AnswersAfreshAndTheOldBranchStaysWhole()
    {
        var chat = await SignedInAsync();
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(6);
        await chat.TypeAndSendAsync("first question");
        await chat.WaitForReplyFinishedAsync(1);
        await chat.TypeAndSendAsync("second question");
        await chat.WaitForReplyFinishedAsync(2);
        var id = await chat.CurrentSessionIdAsync();

        await chat.UserMessages.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await chat.Page.GetByLabel("Edit message").FillAsync("first question, edited");
        await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Save and send" }).ClickAsync();
        await Assertions.Expect(chat.UserMessages.Nth(0).Locator(".version-count")).ToHaveTextAsync("2 / 2", new() { Timeout = 120_000 });

        Assert.Equal(2, await chat.Messages.CountAsync());
        Assert.Equal("first question, edited", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        var stored = await MessagesAsync(id);
        Assert.Equal(["first question, edited"], stored.Where(m => m.GetProperty("role").GetString() == "user").Select(m => m.GetProperty("content").GetString()));
        await Screenshots.SaveAsync(chat.Page, "edit-new-branch");

        await chat.UserMessages.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Previous version" }).ClickAsync();
        await Assertions.Expect(chat.UserMessages.Nth(0).Locator(".version-count")).ToHaveTextAsync("1 / 2");
        Assert.Equal(["first question", "second question"], await chat.UserMessages.Locator(".body").AllInnerTextsAsync());
        Assert.Equal(4, await chat.Messages.CountAsync());
    }

    [Fact]
    public async Task Copy_Reply_PutsItsTextOnTheClipboard()
    {
        var chat = await SignedInAsync();
        await chat.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = server.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(8);
        await chat.TypeAndSendAsync("Something to copy");
        await chat.WaitForReplyFinishedAsync(1);

        await chat.AssistantMessages.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(chat.Page.Locator("#chat-status")).ToHaveTextAsync("Reply copied.");

        var stored = (await MessagesAsync(await chat.CurrentSessionIdAsync()))[1].GetProperty("content").GetString();
        Assert.Equal(stored, await chat.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }

    [Fact]
    public async Task Export_MarkdownAndJson_DownloadsTheChatAndTheJsonImportsBack()
    {
        var chat = await SignedInAsync();
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(6);
        await chat.TypeAndSendAsync("Export me");
        await chat.WaitForReplyFinishedAsync(1);
        var id = await chat.CurrentSessionIdAsync();
        var reply = (await MessagesAsync(id))[1].GetProperty("content").GetString()!;

        var markdown = await DownloadAsync(chat, "Markdown");
        var json = await DownloadAsync(chat, "JSON");

        Assert.EndsWith(".md", markdown.Name, StringComparison.Ordinal);
        Assert.Contains("## You", markdown.Text, StringComparison.Ordinal);
        Assert.Contains("Export me", markdown.Text, StringComparison.Ordinal);
        Assert.Contains(reply, markdown.Text, StringComparison.Ordinal);
        using var export = JsonDocument.Parse(json.Text);
        Assert.Equal("frugal.chat", export.RootElement.GetProperty("format").GetString());
        Assert.Equal(2, export.RootElement.GetProperty("messages").GetArrayLength());

        var before = await chat.SessionButtons.CountAsync();
        await chat.Page.Locator("#import-file").SetInputFilesAsync(new FilePayload
        {
            Name = json.Name,
            MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes(json.Text),
        });
        await Assertions.Expect(chat.SessionButtons).ToHaveCountAsync(before + 1);
        await Assertions.Expect(chat.Messages).ToHaveCountAsync(2);
        var imported = await chat.CurrentSessionIdAsync();
        Assert.NotEqual(id, imported);
        Assert.Equal(["Export me", reply], (await MessagesAsync(imported)).Select(m => m.GetProperty("content").GetString()));
        Assert.Equal("Export me", await chat.UserMessages.Nth(0).Locator(".body").InnerTextAsync());
        await Screenshots.SaveAsync(chat.Page, "import-json");
    }

    [Fact]
    public async Task Import_BadFile_SaysWhyAndAddsNoChat()
    {
        var chat = await SignedInAsync(server.BobKey);
        await chat.NewChatAsync();
        var before = (await GetJsonAsync("api/sessions", server.BobKey)).GetProperty("data").GetArrayLength();

        await chat.Page.Locator("#import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "notes.json",
            MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes("{\"format\": \"frugal.chat\", \"version\": 1, \"messages\": [{\"id\": 1, \"role\": \"assistant\", \"content\": \"a\"}]}"),
        });

        await Assertions.Expect(chat.Page.Locator("#chat-status")).ToContainTextAsync("Not imported:");
        Assert.Contains("follows no user", await chat.Page.Locator("#chat-status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await GetJsonAsync("api/sessions", server.BobKey)).GetProperty("data").GetArrayLength());
        Assert.Equal(before, await chat.SessionButtons.CountAsync());
    }

    [Fact]
    public async Task ReplyOptions_KeptPerChat_ComeBackWhenTheChatIsOpenedAgain()
    {
        var chat = await SignedInAsync();
        await chat.NewChatAsync();
        var first = await chat.CurrentSessionIdAsync();
        await chat.SetTemperatureAsync(0.3);
        await chat.Page.GetByLabel("Top K").FillAsync("5");
        await WaitForSettingsAsync(first,
            s => s.GetProperty("top_k").ValueKind == JsonValueKind.Number && s.GetProperty("temperature").ValueKind == JsonValueKind.Number);

        await chat.NewChatAsync();
        var second = await chat.CurrentSessionIdAsync();
        await chat.SetTemperatureAsync(1.2);
        await chat.Page.GetByLabel("Top K").FillAsync("");
        await WaitForSettingsAsync(second, s => s.GetProperty("temperature").ValueKind == JsonValueKind.Number && s.GetProperty("temperature").GetDouble() > 1);
        await chat.Page.Locator($"#session-list button.session[data-id='{first}']").ClickAsync();
        await Assertions.Expect(chat.Page.GetByLabel("Temperature")).ToHaveValueAsync("0.3");

        Assert.Equal("5", await chat.Page.GetByLabel("Top K").InputValueAsync());
        var settings = (await GetJsonAsync($"api/sessions/{first}")).GetProperty("settings");
        Assert.Equal((0.3, 5), (settings.GetProperty("temperature").GetDouble(), settings.GetProperty("top_k").GetInt32()));
        Assert.Equal(JsonValueKind.Null, (await GetJsonAsync($"api/sessions/{second}")).GetProperty("settings").GetProperty("top_k").ValueKind);
    }

    private async Task WaitForSettingsAsync(string id, Func<JsonElement, bool> done)
    {
        for (var i = 0; i < 200; i++)
        {
            if (done((await GetJsonAsync($"api/sessions/{id}")).GetProperty("settings")))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The page did not keep the settings.");
    }

    private static async Task<(string Name, string Text)> DownloadAsync(ChatPage chat, string format)
    {
        var menu = chat.Page.Locator("#export-menu");
        if (await menu.GetAttributeAsync("open") is null)
        {
            await chat.Page.GetByText("Export", new() { Exact = true }).ClickAsync();
        }

        var download = await chat.Page.RunAndWaitForDownloadAsync(() => chat.Page.GetByRole(AriaRole.Button, new() { Name = format, Exact = true }).ClickAsync());
        var path = await download.PathAsync();
        return (download.SuggestedFilename, await File.ReadAllTextAsync(path));
    }

    private static Task<string> RenderedAsync(ChatPage chat, JsonElement message) => chat.Page.EvaluateAsync<string>(
        "async text => (await import('/markdown.js')).renderMarkdown(text).textContent", message.GetProperty("content").GetString());

    private async Task<ChatPage> SignedInAsync(string? key = null)
    {
        var context = await browser.NewContextAsync(server.BaseAddress);
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.OpenAsync();
        await chat.SignInAndWaitAsync(key ?? server.AliceKey);
        return chat;
    }

    private async Task<JsonElement> GetJsonAsync(string path, string? key = null)
    {
        using var client = server.CreateClient(key ?? server.AliceKey);
        return await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));
    }

    private async Task<JsonElement[]> MessagesAsync(string sessionId) =>
        [.. (await GetJsonAsync($"api/sessions/{sessionId}/messages")).GetProperty("data").EnumerateArray()];
}
