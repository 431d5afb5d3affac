using Frugal.Memory;
using Frugal.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>
/// The memory banner end to end, driven by the real memory governor reading the live machine: a server
/// whose pressure thresholds are set so low (0, or a billionth of the limit) that any box's use counts
/// as high or critical. The level falls when the thresholds go back to their defaults, which the
/// governor picks up on its next reading.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MemoryBannerTests(BrowserFixture browser)
{
    // A billionth of the limit: less than the mapped model alone on any machine.
    private const double AnyUse = 1e-9;
    private const int ReplyTokenCap = 6;

    [Fact]
    public async Task Banner_HighPressure_SaysRepliesShortenedUntilTheLevelFalls()
    {
        // High from the first byte, critical never (above the limit itself).
        await using var server = await StartAsync(o =>
        {
            o.MediumThreshold = 0;
            o.HighThreshold = 0;
            o.CriticalThreshold = 1.5;
        });
        var chat = await SignedInAsync(server);

        var banner = chat.Page.Locator("#banner");
        await banner.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        var text = await banner.InnerTextAsync();
        Assert.Contains("(pressure high): replies are shortened", text, StringComparison.Ordinal);
        Assert.Contains($"Replies capped at {ReplyTokenCap} tokens", text, StringComparison.Ordinal);
        Assert.Contains("history trimmed to the last 2 exchanges", text, StringComparison.Ordinal);
        Assert.StartsWith("Memory: high ·", await chat.Page.Locator("#memory").InnerTextAsync(), StringComparison.Ordinal);
        var status = await server.GetJsonAsync(server.AliceKey, "status");
        Assert.Equal("high", status.GetProperty("memory_pressure").GetString());

        // Replies are shortened for real: the server caps this one at its limit, and the page says so.
        await chat.NewChatAsync();
        await chat.SetMaxTokensAsync(40);
        await chat.SetTemperatureAsync(0);
        await chat.TypeAndSendAsync(SlowModelServer.LongPrompt);
        var reply = await chat.WaitForReplyFinishedAsync(1);
        var meta = await reply.Locator(".meta").InnerTextAsync();
        Assert.Contains("cut short (length limit)", meta, StringComparison.Ordinal);
        Assert.Contains($"{ReplyTokenCap} tokens", meta, StringComparison.Ordinal);
        Assert.Contains($"max_tokens capped at {ReplyTokenCap} by memory pressure high (asked 40)", meta, StringComparison.Ordinal);
        await Screenshots.SaveAsync(chat.Page, "memory-banner-high");

        await LowerPressureAsync(server, chat);
    }

    [Fact]
    public async Task Banner_CriticalPressure_SaysRepliesRefusedAndShowsTheServersReasonUntilTheLevelFalls()
    {
        await using var server = await StartAsync(o =>
        {
            o.MediumThreshold = 0;
            o.HighThreshold = 0;
            o.CriticalThreshold = AnyUse;
        });
        var chat = await SignedInAsync(server);

        var banner = chat.Page.Locator("#banner");
        await banner.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        var text = await banner.InnerTextAsync();
        Assert.Contains("(pressure critical): new replies are refused for now", text, StringComparison.Ordinal);
        Assert.Contains("New replies refused", text, StringComparison.Ordinal);
        Assert.StartsWith("Memory: critical (emergency) ·", await chat.Page.Locator("#memory").InnerTextAsync(), StringComparison.Ordinal);

        // A message is refused with the server's own reason and when to try again.
        await chat.NewChatAsync();
        await chat.TypeAndSendAsync("Hello?");
        var refused = await chat.WaitForReplyFinishedAsync(1);
        Assert.Equal("failed", await refused.GetAttributeAsync("data-finish"));
        var reason = await refused.Locator(".error").InnerTextAsync();
        Assert.Contains("Memory pressure is critical", reason, StringComparison.Ordinal);
        Assert.Contains("new generations are refused until it eases", reason, StringComparison.Ordinal);
        Assert.Contains("try again in 10 s", await chat.Page.Locator("#chat-status").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(chat.Page, "memory-banner-critical");

        await LowerPressureAsync(server, chat);

        // With the level down, a message gets its reply again.
        await chat.SetMaxTokensAsync(8);
        await chat.TypeAndSendAsync("Hello again?");
        var reply = await chat.WaitForReplyFinishedAsync(2);
        Assert.Equal(0, await reply.Locator(".error").CountAsync());
        Assert.NotEmpty(await reply.Locator(".body").TextContentAsync() ?? "");
    }

    /// <summary>Puts the thresholds back to their defaults: the governor's next reading lowers the level, and the banner goes.</summary>
    private static async Task LowerPressureAsync(ServerFixture server, ChatPage chat)
    {
        var options = server.App.Services.GetRequiredService<MemoryGovernor>().Options;
        options.CriticalThreshold = MemoryGovernorOptions.DefaultCriticalThreshold;
        options.HighThreshold = MemoryGovernorOptions.DefaultHighThreshold;
        options.MediumThreshold = MemoryGovernorOptions.DefaultMediumThreshold;

        await chat.Page.Locator("#banner").WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 60_000 });
        var level = (await server.GetJsonAsync(server.AliceKey, "status")).GetProperty("memory_pressure").GetString();
        Assert.Contains(level, new[] { "low", "medium" });
        Assert.StartsWith($"Memory: {level} ·", await chat.Page.Locator("#memory").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(chat.Page, "memory-banner-gone");
    }

    /// <summary>A server on the slow model (its large vocabulary keeps a reply going to its limit) with the governor set by <paramref name="thresholds"/>.</summary>
    private static Task<ServerFixture> StartAsync(Action<MemoryGovernorOptions> thresholds) =>
        SlowModelServer.StartAsync(server =>
        {
            var o = server.Memory;
            thresholds(o);
            o.Hysteresis = 0;
            o.ReplyTokenCap = ReplyTokenCap;
            o.RefreshInterval = TimeSpan.FromMilliseconds(200);
        });

    private async Task<ChatPage> SignedInAsync(ServerFixture server)
    {
        var context = await browser.NewContextAsync(server.BaseAddress);
        var chat = new ChatPage(await context.NewPageAsync());
        await chat.OpenAsync();
        await chat.SignInAndWaitAsync(server.AliceKey);
        return chat;
    }
}
