using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Tests.Inference;

namespace Frugal.Tests.Conversations;

[Collection(TinyEngineCollection.Name)]
public sealed class HistoryWindowTests(TinyEngineFixture fixture)
{
    private IInferenceEngine Engine => fixture.Engine;

    [Fact]
    public void Select_ShortHistory_KeepsEverythingInOrder()
    {
        var history = Conversation(("hello there", "hi, how can I help"), ("what is two and two", "four"));

        var selection = HistoryWindow.Select(Engine, "Be brief.", history, "thanks", replyBudget: 64);

        Assert.Equal(0, selection.OmittedMessages);
        Assert.Equal(
            [
                new ChatTurn(ChatRole.System, "Be brief."),
                new ChatTurn(ChatRole.User, "hello there"),
                new ChatTurn(ChatRole.Assistant, "hi, how can I help"),
                new ChatTurn(ChatRole.User, "what is two and two"),
                new ChatTurn(ChatRole.Assistant, "four"),
                new ChatTurn(ChatRole.User, "thanks"),
            ],
            selection.Messages);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
    }

    [Fact]
    public void Select_LongHistory_KeepsNewestWholeTurnsThatFitAndCountsTheRest()
    {
        var turns = Enumerable.Range(0, 30)
            .Select(i => ($"question number {i} about the weather in a long sentence", $"answer number {i} with quite a few words in it too"))
            .ToArray();
        var history = Conversation(turns);
        const int replyBudget = 256;

        var selection = HistoryWindow.Select(Engine, "Be brief.", history, "and now?", replyBudget);

        Assert.InRange(selection.OmittedMessages, 2, history.Count - 2);
        Assert.Equal(0, selection.OmittedMessages % 2);
        Assert.True(selection.PromptTokens <= Engine.ContextSize - replyBudget);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
        // The kept part is the unbroken end of the conversation, starting at a user message.
        var kept = history.Skip(selection.OmittedMessages).Select(m => new ChatTurn(m.Role, m.Content)).ToList();
        Assert.Equal([new ChatTurn(ChatRole.System, "Be brief."), .. kept, new ChatTurn(ChatRole.User, "and now?")], selection.Messages);
        Assert.Equal(ChatRole.User, selection.Messages[1].Role);
        // One more (older) turn would not have fitted.
        var older = history.Skip(selection.OmittedMessages - 2).Take(2).Select(m => new ChatTurn(m.Role, m.Content));
        List<ChatTurn> bigger = [selection.Messages[0], .. older, .. selection.Messages.Skip(1)];
        Assert.True(Engine.CountPromptTokens(bigger) > Engine.ContextSize - replyBudget);
    }

    [Fact]
    public void Select_MessageThatCannotFit_ThrowsContextLengthExceeded()
    {
        var huge = string.Join(' ', Enumerable.Repeat("word", 2000));

        var error = Assert.Throws<ConversationRequestException>(() => HistoryWindow.Select(Engine, null, [], huge, replyBudget: 16));

        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("content", error.Param);
    }

    [Fact]
    public void Select_ReplyBudgetLeavingNoRoom_ThrowsContextLengthExceeded()
    {
        var error = Assert.Throws<ConversationRequestException>(() =>
            HistoryWindow.Select(Engine, null, [], "hello", replyBudget: Engine.ContextSize));
        Assert.Equal("context_length_exceeded", error.Code);
    }

    [Fact]
    public void Select_EmptyStoredReplies_AreSkippedAndNotCounted()
    {
        var history = Conversation(("first", ""), ("second", "a reply"));

        var selection = HistoryWindow.Select(Engine, null, history, "third", replyBudget: 32);

        Assert.Equal(0, selection.OmittedMessages);
        Assert.Equal(
            [
                new ChatTurn(ChatRole.User, "first"),
                new ChatTurn(ChatRole.User, "second"),
                new ChatTurn(ChatRole.Assistant, "a reply"),
                new ChatTurn(ChatRole.User, "third"),
            ],
            selection.Messages);
    }

    private static List<StoredMessage> Conversation(params (string User, string Assistant)[] turns)
    {
        var messages = new List<StoredMessage>();
        var at = DateTimeOffset.UnixEpoch;
        foreach (var (user, assistant) in turns)
        {
            messages.Add(new StoredMessage(messages.Count + 1, "ses_test", ChatRole.User, user, 0, at, at, null, MessageStatus.Complete));
            messages.Add(new StoredMessage(messages.Count + 1, "ses_test", ChatRole.Assistant, assistant, 0, at, at, "stop", MessageStatus.Complete));
        }

        return messages;
    }
}
