using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference;

/// <summary>Per-session prompt reuse: kept and restored KV states give the same replies as evaluating from scratch.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class SessionReuseTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-session-reuse-").FullName;
    private TieredSessionStateStore _store = null!;
    private LlamaEngine _engine = null!;
    private LlamaEngine _reference = null!;

    public static TheoryData<string> Models => TestModels.EngineModels;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        if (_reference is not null)
        {
            await _reference.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_FollowUpTurn_EvaluatesOnlyNewTokensAndMatchesFullEvaluation(string model)
    {
        await LoadAsync(model);
        var conversation = new Conversation("a");

        var first = await TurnAsync(conversation, "Name a colour.");
        var second = await TurnAsync(conversation, "And another one?");

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

        var a1 = await TurnAsync(a, "Tell me about boats.");
        var b1 = await TurnAsync(b, "Say something about trees, please.");
        var a2 = await TurnAsync(a, "More about boats.");
        var b2 = await TurnAsync(b, "And about leaves?");
        var a3 = await TurnAsync(a, "Last one.");

        Assert.True(_store.DiskBytes > 0, "the idle session's state went to disk (no RAM tier by default)");
        Assert.True(a2.CachedPromptTokens >= a1.PromptTokens + a1.CompletionTokens - 1, $"a2 cached {a2.CachedPromptTokens}, a1 {a1.PromptTokens} + {a1.CompletionTokens}");
        Assert.True(b2.CachedPromptTokens >= b1.PromptTokens + b1.CompletionTokens - 1, $"b2 cached {b2.CachedPromptTokens}, b1 {b1.PromptTokens} + {b1.CompletionTokens}");
        Assert.True(a3.CachedPromptTokens >= a2.PromptTokens + a2.CompletionTokens - 1, $"a3 cached {a3.CachedPromptTokens}, a2 {a2.PromptTokens} + {a2.CompletionTokens}");

        // A restored session put away again adds only its new cells to its file: a3 came from a state of two
        // chunks (a1 whole, a2 appended) and still equals full evaluation; b's file is two chunks the same way.
        using var keptA = _store.TryGet("a");
        using var keptB = _store.TryGet("b");
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

        var a1 = await TurnAsync(a, "Tell me about boats.");
        await TurnAsync(b, "Say something about trees, please.");
        Assert.True(_store.MemoryBytes > 0);
        Assert.Equal(0, _store.DiskBytes);
        var a2 = await TurnAsync(a, "More about boats.");

        Assert.True(a2.CachedPromptTokens >= a1.PromptTokens + a1.CompletionTokens - 1, $"a2 cached {a2.CachedPromptTokens}, a1 {a1.PromptTokens} + {a1.CompletionTokens}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_ChangedHistory_DoesNotUseTheStaleState(string model)
    {
        await LoadAsync(model);
        var a = new Conversation("a");
        var b = new Conversation("b");
        await TurnAsync(a, "First question about mountains.");
        await TurnAsync(b, "Unrelated question about the sea.");
        Assert.NotNull(_store.TryGet("a"));

        // A's first message is edited: its kept state no longer prefixes the prompt.
        a.Messages[1] = new ChatTurn(ChatRole.User, "An edited question about hills.");
        var edited = await TurnAsync(a, "Go on.");

        Assert.Null(_store.TryGet("a"));
        Assert.True(edited.CachedPromptTokens < Engine.TokenizePrompt(a.Messages.Take(2).ToList()).Count);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_HistoryChangedInsideAnAppendedState_DropsTheFileAndPutsTheStateWholeLater(string model)
    {
        await LoadAsync(model);
        var a = new Conversation("a");
        var b = new Conversation("b");
        await TurnAsync(a, "Tell me about boats.");
        await TurnAsync(b, "Say something about trees, please.");
        var a2 = await TurnAsync(a, "More about boats.");
        await TurnAsync(b, "And about leaves?");
        using (var kept = _store.TryGet("a"))
        {
            Assert.Equal(2, kept?.Chunks.Count);
        }

        // A's second reply (kept in the appended chunk) comes back edited: the state is restored and used up to
        // the edit, and from then on no file holds cells the context no longer has.
        a.Messages[^1] = new ChatTurn(ChatRole.Assistant, a.Messages[^1].Content + " (edited)");
        var a3 = await TurnAsync(a, "Go on.");

        Assert.True(a3.CachedPromptTokens >= a2.PromptTokens - 8, $"a3 cached {a3.CachedPromptTokens}, a2 prompt {a2.PromptTokens}");
        Assert.Null(_store.TryGet("a"));

        // Put away again, a's state is written whole, as one chunk holding what the context held.
        var b3 = await TurnAsync(b, "And roots?");
        using var rewritten = _store.TryGet("a");
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
        var first = await TurnAsync(conversation, "Name a colour.");

        // The client sends the reply back changed: the generated ids no longer spell it, so it is tokenized
        // as text, and the kept state is used only up to where the reply starts.
        conversation.Messages[^1] = new ChatTurn(ChatRole.Assistant, conversation.Messages[^1].Content + " (edited)");
        var second = await TurnAsync(conversation, "And another one?");

        Assert.True(second.CachedPromptTokens < first.PromptTokens + first.CompletionTokens - 1,
            $"cached {second.CachedPromptTokens}; first turn {first.PromptTokens} + {first.CompletionTokens}");
        Assert.True(second.CachedPromptTokens >= first.PromptTokens - 8, $"cached {second.CachedPromptTokens}, first prompt {first.PromptTokens}");
    }

    // At most the tokens the engine evaluates after a reply while idle: its last token and the template's turn separator.
    private const int IdleSeparator = 24;

    private LlamaEngine Engine => _engine;

    private async Task LoadAsync(string model, ByteSize? ramTier = null)
    {
        var options = TestModels.EngineOptionsFor(model, contextSize: 1024);
        _store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = _dir,
            ModelIdentity = ModelFileIdentity.Compute(options.ModelPath),
            MemoryBudget = ramTier ?? TieredSessionStateStoreOptions.DefaultMemoryBudget,
        });
        _engine = await LlamaEngine.LoadAsync(options with { SessionStateStore = _store, MinTokensToSaveState = 0 });
        _reference = await LlamaEngine.LoadAsync(options);
    }

    /// <summary>
    /// One turn through the engine under test; the reply must equal, token for token, the reply of the
    /// reference engine evaluating the whole conversation from an empty context.
    /// </summary>
    private async Task<GenerationStats> TurnAsync(Conversation conversation, string user)
    {
        conversation.Messages.Add(new ChatTurn(ChatRole.User, user));
        var request = new GenerationRequest
        {
            Messages = conversation.Messages.ToList(),
            MaxTokens = 12,
            Sampling = SamplingOptions.Default with { Temperature = 0f },
            SessionKey = conversation.Key,
        };

        var (text, stats, _) = await GenerationRuns.RunAsync(_engine, request);
        await _reference.ClearContextAsync();
        var (expected, referenceStats, _) = await GenerationRuns.RunAsync(_reference, request with { SessionKey = null });

        Assert.Equal(0, referenceStats.CachedPromptTokens);
        Assert.Equal(expected, text);
        Assert.Equal(referenceStats.CompletionTokens, stats.CompletionTokens);
        conversation.Messages.Add(new ChatTurn(ChatRole.Assistant, text));
        return stats;
    }
}
