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
}
