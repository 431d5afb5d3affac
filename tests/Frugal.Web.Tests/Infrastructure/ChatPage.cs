using Microsoft.Playwright;

namespace Frugal.Web.Tests.Infrastructure;

/// <summary>The chat page as a person uses it: by labels, roles and visible text.</summary>
public sealed class ChatPage(IPage page)
{
    private static readonly PageWaitForFunctionOptions LongWait = new() { Timeout = 120_000, PollingInterval = 50 };

    public IPage Page { get; } = page;

    public ILocator SessionButtons => Page.Locator("#session-list button.session");

    public ILocator Messages => Page.Locator("#messages > li");

    public ILocator AssistantMessages => Page.Locator("#messages > li.assistant");

    public ILocator UserMessages => Page.Locator("#messages > li.user");

    public async Task OpenAsync()
    {
        await Page.GotoAsync("/");
        await Page.WaitForFunctionAsync("() => !document.getElementById('signin-view').hidden || !document.getElementById('chat-view').hidden");
    }

    public async Task SignInAsync(string key)
    {
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public async Task SignInAndWaitAsync(string key)
    {
        await SignInAsync(key);
        await Page.Locator("#chat-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
    }

    /// <summary>Creates a chat with the "New chat" button and waits until it is the current one.</summary>
    public async Task NewChatAsync()
    {
        var before = await SessionButtons.CountAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Page.WaitForFunctionAsync(
            "n => document.querySelectorAll('#session-list button.session').length > n && document.querySelector('#session-list [aria-current=true]')",
            before);
    }

    /// <summary>Types the text in the message box and sends it with Enter.</summary>
    public async Task TypeAndSendAsync(string text)
    {
        var box = Page.GetByLabel("Message", new() { Exact = true });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
    }

    /// <summary>Waits until the newest reply has finished streaming; returns its element.</summary>
    public async Task<ILocator> WaitForReplyFinishedAsync(int count)
    {
        await Page.WaitForFunctionAsync(
            "n => { const r = document.querySelectorAll('#messages > li.assistant'); return r.length >= n && !r[n - 1].hasAttribute('aria-busy'); }",
            count, LongWait);
        return AssistantMessages.Nth(count - 1);
    }

    /// <summary>Waits until the newest reply shows some streamed text.</summary>
    public Task WaitForReplyTextAsync(int count) => Page.WaitForFunctionAsync(
        "n => { const r = document.querySelectorAll('#messages > li.assistant'); return r.length >= n && r[n - 1].querySelector('.body').textContent.length > 0; }",
        count, LongWait);

    /// <summary>Clicks the Stop button of the reply being written.</summary>
    public Task StopAsync() => Page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();

    /// <summary>The id of the chat shown (the one marked current in the list).</summary>
    public async Task<string> CurrentSessionIdAsync() =>
        await Page.Locator("#session-list [aria-current=true]").GetAttributeAsync("data-id")
        ?? throw new InvalidOperationException("No chat is selected.");

    public Task SetMaxTokensAsync(int maxTokens) => SetOptionAsync("Max tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task SetTemperatureAsync(double temperature) => SetOptionAsync("Temperature", temperature.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task SetOptionAsync(string label, string value)
    {
        var details = Page.Locator("details.options");
        if (await details.GetAttributeAsync("open") is null)
        {
            await Page.GetByText("Reply options").ClickAsync();
        }

        await Page.GetByLabel(label).FillAsync(value);
    }
}
