using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>Per-session prompt reuse: kept and restored KV states give the same replies as evaluating from scratch.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class SessionReuseTests : IAsyncLifetime
{
    private readonly ReferenceTurns _turns = new("frugal-session-reuse-");

    public static TheoryData<string> Models => TestModels.EngineModels;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _turns.DisposeAsync();

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_FollowUpTurn_EvaluatesOnlyNewTokensAndMatchesFullEvaluation(string model)
    {
        await LoadAsync(model);
        var conversation = new Conversation("a");

        var first = await _turns.TurnAsync(conversation, "Name a colour.");
        var second = await _turns.TurnAsync(conversation, "And another one?");

        Assert.Equal(0, first.CachedPromptTokens);
        // Everything the first turn left in the KV state is kept: its prompt and its reply as generated
        // (all but the last sampled token, which was never fed back).
        Assert.True(second.CachedPromptTokens >= first.PromptTokens + first.CompletionTokens - 1,
            $"cached {second.CachedPromptTokens} of {second.PromptTokens}; first turn {first.PromptTokens} + {first.CompletionTokens}; reply [{conversation.Messages[2].Content}]");
        Assert.True(second.CachedPromptTokens < second.PromptTokens);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_TwoSessionsInterleaving_RestoreTheirStatesAndMatchFullEvaluation(string model)
    {
        await LoadAsync(model);
        var a = new Conversation("a");
        var b = new Conversation("b");

        var a1 = await _turns.TurnAsync(a, "Tell me about boats.");
        var b1 = await _turns.TurnAsync(b, "Say something about trees, please.");
        var a2 = await _turns.TurnAsync(a, "More about boats.");
        var b2 = await _turns.TurnAsync(b, "And about leaves?");
        var a3 = await _turns.TurnAsync(a, "Last one.");

        Assert.True(_turns.Store.DiskBytes > 0, "the idle session's state went to disk (no RAM tier by default)");
        Assert.True(a2.CachedPromptTokens >= a1.PromptTokens + a1.CompletionTokens - 1,
            $"a2 cached {a2.CachedPromptTokens}, a1 {a1.PromptTokens} + {a1.CompletionTokens}");
        Assert.True(b2.CachedPromptTokens >= b1.PromptTokens + b1.CompletionTokens - 1,
            $"b2 cached {b2.CachedPromptTokens}, b1 {b1.PromptTokens} + {b1.CompletionTokens}");
        Assert.True(a3.CachedPromptTokens >= a2.PromptTokens + a2.CompletionTokens - 1,
            $"a3 cached {a3.CachedPromptTokens}, a2 {a2.PromptTokens} + {a2.CompletionTokens}");

        // A restored session put away again adds only its new cells to its file: a3 came from a state of two
        // chunks (a1 whole, a2 appended) and still equals full evaluation; b's file is two chunks the same way.
        using var keptA = _turns.Store.TryGet("a");
        using var keptB = _turns.Store.TryGet("b");
        Assert.Equal(2, keptA?.Chunks.Count);
        Assert.Equal(2, keptB?.Chunks.Count);
        // The prompt and the reply, and the next turn's separator when the loop had idle time for it before b2.
        Assert.InRange(keptB!.Chunks[0].TokenCount, b1.PromptTokens + b1.CompletionTokens - 1, b1.PromptTokens + b1.CompletionTokens - 1 + IdleSeparator);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_InterleavingWithARamTier_RestoresFromRamAndMatchesFullEvaluation(string model)
    {
        await LoadAsync(model, ByteSize.FromMebibytes(64));
        var a = new Conversation("a");
        var b = new Conversation("b");

        var a1 = await _turns.TurnAsync(a, "Tell me about boats.");
        await _turns.TurnAsync(b, "Say something about trees, please.");
        Assert.True(_turns.Store.MemoryBytes > 0);
        Assert.Equal(0, _turns.Store.DiskBytes);
        var a2 = await _turns.TurnAsync(a, "More about boats.");

        Assert.True(a2.CachedPromptTokens >= a1.PromptTokens + a1.CompletionTokens - 1,
            $"a2 cached {a2.CachedPromptTokens}, a1 {a1.PromptTokens} + {a1.CompletionTokens}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_ChangedHistory_DoesNotUseTheStaleState(string model)
    {
        await LoadAsync(model);
        var a = new Conversation("a");
        var b = new Conversation("b");
        await _turns.TurnAsync(a, "First question about mountains.");
        await _turns.TurnAsync(b, "Unrelated question about the sea.");
        Assert.NotNull(_turns.Store.TryGet("a"));

        // A's first message is edited: its kept state no longer prefixes the prompt.
        a.Messages[1] = new ChatTurn(ChatRole.User, "An edited question about hills.");
        var edited = await _turns.TurnAsync(a, "Go on.");

        Assert.Null(_turns.Store.TryGet("a"));
        Assert.True(edited.CachedPromptTokens < _turns.Engine.TokenizePrompt(a.Messages.Take(2).ToList()).Count);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_HistoryChangedInsideAnAppendedState_DropsTheFileAndPutsTheStateWholeLater(string model)
    {
        await LoadAsync(model);
        var a = new Conversation("a");
        var b = new Conversation("b");
        await _turns.TurnAsync(a, "Tell me about boats.");
        await _turns.TurnAsync(b, "Say something about trees, please.");
        var a2 = await _turns.TurnAsync(a, "More about boats.");
        await _turns.TurnAsync(b, "And about leaves?");
        using (var kept = _turns.Store.TryGet("a"))
        {
            Assert.Equal(2, kept?.Chunks.Count);
        }

        // A's second reply (kept in the appended chunk) comes back edited: the state is restored and used up to
        // the edit, and from then on no file holds cells the context no longer has.
        a.Messages[^1] = new ChatTurn(ChatRole.Assistant, a.Messages[^1].Content + " (edited)");
        var a3 = await _turns.TurnAsync(a, "Go on.");

        Assert.True(a3.CachedPromptTokens >= a2.PromptTokens - 8, $"a3 cached {a3.CachedPromptTokens}, a2 prompt {a2.PromptTokens}");
        Assert.Null(_turns.Store.TryGet("a"));

        // Put away again, a's state is written whole, as one chunk holding what the context held.
        var b3 = await _turns.TurnAsync(b, "And roots?");
        using var rewritten = _turns.Store.TryGet("a");
        Assert.NotNull(rewritten);
        Assert.Single(rewritten.Chunks);
        Assert.InRange(rewritten.Tokens.Count, a3.PromptTokens + a3.CompletionTokens - 1, a3.PromptTokens + a3.CompletionTokens - 1 + IdleSeparator);
        Assert.True(b3.CachedPromptTokens > 0);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_ReplyEditedBeforeItComesBack_SpellsItAsTextAndMatchesFullEvaluation(string model)
    {
        await LoadAsync(model);
        var conversation = new Conversation("a");
        var first = await _turns.TurnAsync(conversation, "Name a colour.");

        // The client sends the reply back changed: the generated ids no longer spell it, so it is tokenized
        // as text, and the kept state is used only up to where the reply starts.
        conversation.Messages[^1] = new ChatTurn(ChatRole.Assistant, conversation.Messages[^1].Content + " (edited)");
        var second = await _turns.TurnAsync(conversation, "And another one?");

        Assert.True(second.CachedPromptTokens < first.PromptTokens + first.CompletionTokens - 1,
            $"cached {second.CachedPromptTokens}; first turn {first.PromptTokens} + {first.CompletionTokens}");
        Assert.True(second.CachedPromptTokens >= first.PromptTokens - 8, $"cached {second.CachedPromptTokens}, first prompt {first.PromptTokens}");
    }

    // At most the tokens the engine evaluates after a reply while idle: its last token and the template's turn separator.
    private const int IdleSeparator = 24;

    private Task LoadAsync(string model, ByteSize? ramTier = null) =>
        _turns.LoadAsync(TestModels.EngineOptionsFor(model, contextSize: 1024), memoryBudget: ramTier);
}
