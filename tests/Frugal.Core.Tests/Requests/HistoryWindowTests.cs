using Frugal.Inference;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Tests.Inference;

namespace Frugal.Tests.Requests;

[Collection(TinyEngineCollection.Name)]
public sealed class HistoryWindowTests(TinyEngineFixture fixture)
{
    private IInferenceEngine Engine => fixture.Engine;

    [Fact]
    public void Select_ShortHistory_KeepsEverythingInOrder()
    {
        var request = Session("Be brief.", [("hello there", "hi, how can I help"), ("what is two and two", "four")], "thanks");

        var selection = HistoryWindow.Select(Engine, request, replyBudget: 64);

        Assert.Equal(0, selection.OmittedMessages);
        Assert.Equal(request.Messages, selection.Messages);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
    }

    [Fact]
    public void Select_LongHistory_KeepsAnUnbrokenEndThatFitsAndCountsTheRest()
    {
        var turns = Enumerable.Range(0, 30)
            .Select(i => ($"question number {i} about the weather in a long sentence", $"answer number {i} with quite a few words in it too"))
            .ToArray();
        var request = Session("Be brief.", turns, "and now?");
        const int replyBudget = 256;

        var selection = HistoryWindow.Select(Engine, request, replyBudget);

        var history = request.Messages.Skip(1).SkipLast(1).ToList();
        Assert.InRange(selection.OmittedMessages, 2, history.Count - 2);
        Assert.Equal(0, selection.OmittedMessages % 2);
        Assert.True(selection.PromptTokens <= Engine.ContextSize - replyBudget);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
        // The kept part is the unbroken end of the conversation, starting at a user message.
        var kept = history.Skip(selection.OmittedMessages).ToList();
        Assert.Equal([request.Messages[0], .. kept, request.Messages[^1]], selection.Messages);
        Assert.Equal(ChatRole.User, selection.Messages[1].Role);
    }

    [Fact]
    public void Select_GrowingConversation_DropsOldTurnsInChunksAndKeepsTheStartBetweenDrops()
    {
        const int replyBudget = 64;
        var budget = Engine.ContextSize - replyBudget;
        var turns = new List<(string, string)>();
        var start = 0;
        var drops = 0;
        for (var i = 0; i < 40; i++)
        {
            var selection = HistoryWindow.Select(Engine, Session("Be brief.", [.. turns], $"question number {i} about the weather today"), replyBudget);

            Assert.True(selection.PromptTokens <= budget, $"turn {i}: {selection.PromptTokens} tokens");
            if (selection.OmittedMessages != start)
            {
                // A drop goes down to about half the budget, so it happens rarely, and the start only moves forward.
                Assert.True(selection.OmittedMessages > start, $"turn {i}: start moved back from {start} to {selection.OmittedMessages}");
                Assert.True(selection.PromptTokens <= budget * HistoryWindow.DropTargetShare + 16, $"turn {i}: {selection.PromptTokens} tokens after a drop");
                start = selection.OmittedMessages;
                drops++;
            }

            turns.Add(($"question number {i} about the weather today", $"answer number {i} with a few words"));
        }

        Assert.InRange(drops, 2, 10);
    }

    [Fact]
    public void Select_StoredTokenCounts_TokenizesThePromptOnce()
    {
        var turns = Enumerable.Range(0, 30).Select(i => ($"question {i} about the weather", $"answer {i} in a few words")).ToArray();
        var counting = new CountingEngine(Engine);
        var request = Session("Be brief.", turns, "and now?");
        request = request with { MessageTokens = [.. request.Messages.Select(m => m.Role == ChatRole.System ? 0 : Engine.CountTokens(m.Content))] };
        _ = HistoryWindow.Select(counting, request, replyBudget: 256); // measures the template's framing once per engine
        counting.PromptCounts = 0;

        var selection = HistoryWindow.Select(counting, request, replyBudget: 256);

        Assert.Equal(1, counting.PromptCounts);
        Assert.True(selection.OmittedMessages > 0);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
    }

    [Fact]
    public void Select_StoredCountsTooSmall_StillFitsByTheExactCount()
    {
        var turns = Enumerable.Range(0, 30).Select(i => ($"question number {i} about the weather in a long sentence", $"answer number {i}")).ToArray();
        var request = Session(null, turns, "and now?");
        request = request with { MessageTokens = [.. request.Messages.Select(_ => 1)] }; // a stale count from another model

        var selection = HistoryWindow.Select(Engine, request, replyBudget: 256);

        Assert.True(selection.PromptTokens <= Engine.ContextSize - 256);
        Assert.Equal(Engine.CountPromptTokens(selection.Messages), selection.PromptTokens);
    }

    [Fact]
    public void Select_MaxExchanges_KeepsSystemAndTheLastExchanges()
    {
        var request = Session("be brief", [("u1", "a1"), ("u2", "a2"), ("u3", "a3")], "now") with { FitHistory = false };

        var selection = HistoryWindow.Select(Engine, request, replyBudget: 16, maxExchanges: 2);

        Assert.Equal(["be brief", "u2", "a2", "u3", "a3", "now"], selection.Messages.Select(m => m.Content));
        Assert.Equal(2, selection.DroppedMessages);
        Assert.Equal(0, selection.OmittedMessages);
    }

    [Fact]
    public void Select_MessageThatCannotFit_ThrowsContextLengthExceeded()
    {
        var huge = string.Join(' ', Enumerable.Repeat("word", 2000));

        var error = Assert.Throws<ChatRequestException>(() => HistoryWindow.Select(Engine, Session(null, [], huge), replyBudget: 16));

        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("content", error.Param);
    }

    [Fact]
    public void Select_ReplyBudgetLeavingNoRoom_ThrowsContextLengthExceeded()
    {
        var error = Assert.Throws<ChatRequestException>(() => HistoryWindow.Select(Engine, Session(null, [], "hello"), replyBudget: Engine.ContextSize));
        Assert.Equal("context_length_exceeded", error.Code);
    }

    [Fact]
    public void Select_EmptyStoredReplies_AreSkippedAndNotCounted()
    {
        var selection = HistoryWindow.Select(Engine, Session(null, [("first", ""), ("second", "a reply")], "third"), replyBudget: 32);

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

    private static ChatRequest Session(string? system, (string User, string Assistant)[] turns, string text)
    {
        var messages = new List<ChatTurn>();
        if (system is not null)
        {
            messages.Add(new ChatTurn(ChatRole.System, system));
        }

        foreach (var (user, assistant) in turns)
        {
            messages.Add(new ChatTurn(ChatRole.User, user));
            messages.Add(new ChatTurn(ChatRole.Assistant, assistant));
        }

        messages.Add(new ChatTurn(ChatRole.User, text));
        return new ChatRequest { Messages = messages, FitHistory = true, Names = new ChatRequestNames("max_tokens", "content") };
    }

    // The real engine, counting how often the whole prompt is tokenized.
    private sealed class CountingEngine(IInferenceEngine inner) : IInferenceEngine
    {
        public int PromptCounts { get; set; }

        public Frugal.Models.ModelInfo Model => inner.Model;

        public int ContextSize => inner.ContextSize;

        public ChatTemplateFamily TemplateFamily => inner.TemplateFamily;

        public int CountTokens(string text) => inner.CountTokens(text);

        public int CountPromptTokens(IReadOnlyList<ChatTurn> messages)
        {
            PromptCounts++;
            return inner.CountPromptTokens(messages);
        }

        public int CountPromptTokens(RawPrompt prompt) => inner.CountPromptTokens(prompt);

        public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
            inner.GenerateAsync(request, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
