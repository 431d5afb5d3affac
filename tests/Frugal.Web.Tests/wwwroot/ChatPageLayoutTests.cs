using Frugal.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>The page at phone and desktop widths, light and dark, with a real reply on screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageLayoutTests(BrowserFixture browser, ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Prompt = "Show me *Markdown*:\n```js\nconsole.log('a fairly long line of code that should scroll inside its block, not the page')\n```";

    [Theory]
    [InlineData(390, 844, ColorScheme.Light, "phone-light")]
    [InlineData(390, 844, ColorScheme.Dark, "phone-dark")]
    [InlineData(1280, 800, ColorScheme.Light, "desktop-light")]
    [InlineData(1280, 800, ColorScheme.Dark, "desktop-dark")]
    public async Task ChatPage_WidthAndScheme_FitsAndIsReadable(int width, int height, ColorScheme scheme, string name)
    {
        await using var context = await browser.NewContextAsync(server.BaseAddress, width, height, scheme);
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.OpenAsync();
        await Screenshots.SaveAsync(chat.Page, $"layout-{name}-signin");
        await chat.SignInAndWaitAsync(server.AliceKey);
        var phone = width < 720;
        if (phone)
        {
            await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Chats" }).ClickAsync();
        }

        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(16);
        await chat.TypeAndSendAsync(Prompt);
        await chat.WaitForReplyFinishedAsync(1);
        await Screenshots.SaveAsync(chat.Page, $"layout-{name}-chat");

        // Nothing sticks out sideways: long code scrolls inside its block.
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        // The message box and its button are on screen.
        foreach (var locator in new[] { chat.Page.GetByLabel("Message", new() { Exact = true }), chat.Page.GetByRole(AriaRole.Button, new() { Name = "Send" }) })
        {
            var box = await locator.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= width && box.Y + box.Height <= height, $"{box.X},{box.Y} {box.Width}x{box.Height}");
        }

        // Text contrast follows the scheme: dark text on light, light text on dark.
        var background = await LuminanceAsync(chat.Page, "background-color", "body");
        var text = await LuminanceAsync(chat.Page, "color", "#messages li.user .body");
        Assert.True(scheme == ColorScheme.Dark ? background < 0.1 && text > 0.6 : background > 0.8 && text < 0.1, $"background {background}, text {text}");

        var sidebar = chat.Page.Locator("#sidebar");
        if (phone)
        {
            Assert.False(await sidebar.IsVisibleAsync());
            await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Chats" }).ClickAsync();
            Assert.True(await sidebar.IsVisibleAsync());
            Assert.Equal("true", await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Chats" }).GetAttributeAsync("aria-expanded"));
            await Screenshots.SaveAsync(chat.Page, $"layout-{name}-chats-open");
            await chat.Page.Keyboard.PressAsync("Escape");
            Assert.False(await sidebar.IsVisibleAsync());
        }
        else
        {
            Assert.True(await sidebar.IsVisibleAsync());
            Assert.False(await chat.Page.GetByRole(AriaRole.Button, new() { Name = "Chats" }).IsVisibleAsync());
        }
    }

    // Relative luminance (0 black .. 1 white) of a computed colour.
    private static Task<double> LuminanceAsync(IPage page, string property, string selector) => page.EvaluateAsync<double>(
        """
        ([property, selector]) => {
          const value = getComputedStyle(document.querySelector(selector))[property === "color" ? "color" : "backgroundColor"];
          const [r, g, b] = value.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        """,
        new[] { property, selector });
}
