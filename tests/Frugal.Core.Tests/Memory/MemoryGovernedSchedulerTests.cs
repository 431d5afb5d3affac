using Frugal.Inference;
using Frugal.Memory;

namespace Frugal.Tests.Memory;

public sealed class MemoryGovernedSchedulerTests
{
    private static readonly GenerationRequest Conversation = new()
    {
        MaxTokens = 512,
        Messages =
        [
            new ChatTurn(ChatRole.System, "be brief"),
            new ChatTurn(ChatRole.User, "u1"), new ChatTurn(ChatRole.Assistant, "a1"),
            new ChatTurn(ChatRole.User, "u2"), new ChatTurn(ChatRole.Assistant, "a2"),
            new ChatTurn(ChatRole.User, "u3"), new ChatTurn(ChatRole.Assistant, "a3"),
            new ChatTurn(ChatRole.User, "now"),
        ],
    };

    [Fact]
    public void Restrict_High_CapsReplyAndKeepsSystemAndLastTwoExchanges()
    {
        var restricted = MemoryGovernedScheduler.Restrict(Conversation, MemoryRestrictions.For(MemoryPressureLevel.High, new MemoryGovernorOptions()));

        Assert.Equal(128, restricted.MaxTokens);
        Assert.Equal(["be brief", "u2", "a2", "u3", "a3", "now"], restricted.Messages.Select(m => m.Content));
    }

    [Fact]
    public void Restrict_None_LeavesTheRequestAlone()
    {
        Assert.Same(Conversation, MemoryGovernedScheduler.Restrict(Conversation, MemoryRestrictions.None));
    }

    [Fact]
    public void Restrict_ShortReplyAndHistory_Unchanged()
    {
        var request = Conversation with { MaxTokens = 64, Messages = [new ChatTurn(ChatRole.User, "hi")] };

        Assert.Same(request, MemoryGovernedScheduler.Restrict(request, MemoryRestrictions.For(MemoryPressureLevel.High, new MemoryGovernorOptions())));
    }

    [Fact]
    public void Apply_High_NoticeSaysCapAndTrim()
    {
        var (_, notice) = MemoryGovernedScheduler.Apply(Conversation, MemoryRestrictions.For(MemoryPressureLevel.High, new MemoryGovernorOptions()), MemoryPressureLevel.High);

        Assert.True(notice.Restricted);
        Assert.Equal("high", notice.LevelName);
        Assert.Equal(["max_tokens", "history"], notice.Kinds());
        Assert.Equal(
            [
                "max_tokens capped at 128 by memory pressure high (asked 512)",
                "history trimmed to the last 2 exchanges by memory pressure high (2 earlier messages left out)",
            ],
            notice.Describe());
    }

    [Fact]
    public void Apply_HighButShortRequest_NoticeNotRestricted()
    {
        var request = Conversation with { MaxTokens = 64, Messages = [new ChatTurn(ChatRole.User, "hi")] };

        var (_, notice) = MemoryGovernedScheduler.Apply(request, MemoryRestrictions.For(MemoryPressureLevel.High, new MemoryGovernorOptions()), MemoryPressureLevel.High);

        Assert.False(notice.Restricted);
        Assert.Empty(notice.Describe());
        Assert.Equal(MemoryPressureLevel.High, notice.Level);
    }
}
