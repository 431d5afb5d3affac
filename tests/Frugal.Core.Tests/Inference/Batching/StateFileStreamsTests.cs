using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// A session's state file outlives the server that wrote it. A one-slot engine's cache is one stream (unified, shared
/// with its scratch sequence), a several-slot engine's a stream per sequence, and llama.cpp records the stream count in
/// every state; a file written by one is rewritten into the other's streams as it is restored after a restart, so the
/// session continues without re-reading its prompt and with the same tokens at temperature 0 as a session that never
/// left memory. A file whose cells the restarted engine cannot take (V laid out for flash attention, the engine
/// without) is dropped and the prompt evaluated in full: never a wrong continuation.
/// </summary>
/// <remarks>
/// No idle next-turn preparation here: each engine then evaluates exactly the same batches (a prompt's new tokens,
/// then one token at a time), so replies can be compared token for token with flash attention on as well as off.
/// </remarks>
[Collection(TinyEngineCollection.Name)]
public sealed class StateFileStreamsTests : IAsyncLifetime
{
    private const int ContextSize = 512;
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-state-streams-").FullName;
    private LlamaEngine? _reference;
    private TieredSessionStateStore _store = null!;

    public static TheoryData<string> Models => TestModels.EngineModels;

    /// <summary>Each model with flash attention off (V stored transposed) and on (V by cell).</summary>
    public static TheoryData<string, bool> Cases
    {
        get
        {
            var cases = new TheoryData<string, bool>();
            foreach (var model in TestModels.EngineModels)
            {
                cases.Add(model.Data, false);
                cases.Add(model.Data, true);
            }

            return cases;
        }
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_reference is not null)
        {
            await _reference.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GenerateAsync_OneSlotFileRestoredBySeveralSlotsAndBack_ContinuesAsTheSessionThatStayedInMemory(string model, bool flashAttention)
    {
        await LoadReferenceAsync(model, flashAttention);
        var (a, b, c) = (new Conversation("a"), new Conversation("b"), new Conversation("c"));
        GenerationStats a1;
        GenerationStats a2;
        await using (var one = await LoadAsync(model, flashAttention, parallel: 1))
        {
            a1 = await TurnAsync(one, a, "Tell me about boats.");
            await TurnAsync(one, b, "Say something about trees, please."); // a's state goes to its file
        }

        Assert.Equal([1], ChunkStreams("a"));
        await using (var two = await LoadAsync(model, flashAttention, parallel: 2))
        {
            a2 = await TurnAsync(two, a, "More about boats.");
            AssertRestored(a2, a1);

            // b and c take the two slots: a's file grows by the cells of its second turn, cut from a two-stream state.
            await TurnAsync(two, b, "And about leaves?");
            await TurnAsync(two, c, "What is rain?");
        }

        Assert.Equal([1, 2], ChunkStreams("a"));
        await using (var again = await LoadAsync(model, flashAttention, parallel: 1))
        {
            AssertRestored(await TurnAsync(again, a, "Last one."), a2);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GenerateAsync_SeveralSlotFileRestoredByOneSlotAndBack_ContinuesAsTheSessionThatStayedInMemory(string model, bool flashAttention)
    {
        await LoadReferenceAsync(model, flashAttention);
        var (a, b, c) = (new Conversation("a"), new Conversation("b"), new Conversation("c"));
        GenerationStats a1;
        GenerationStats a2;
        await using (var two = await LoadAsync(model, flashAttention, parallel: 2))
        {
            a1 = await TurnAsync(two, a, "Tell me about boats and the sea, and why people sail.");
            await TurnAsync(two, b, "Say something about trees and forests, please.");
            await TurnAsync(two, c, "What is rain?"); // takes a's slot (used longest ago): a's state goes to its file
        }

        Assert.Equal([2], ChunkStreams("a"));
        await using (var one = await LoadAsync(model, flashAttention, parallel: 1))
        {
            a2 = await TurnAsync(one, a, "More about boats.");
            AssertRestored(a2, a1);
            await TurnAsync(one, b, "And about leaves?"); // a's file grows by a chunk saved from the one-stream cache
        }

        Assert.Equal([2, 1], ChunkStreams("a"));
        await using (var three = await LoadAsync(model, flashAttention, parallel: 3))
        {
            AssertRestored(await TurnAsync(three, a, "Last one."), a2);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_FileOfAnotherValueLayout_IsDroppedAndThePromptEvaluatedInFull(string model)
    {
        var (a, b) = (new Conversation("a"), new Conversation("b"));
        await using (var one = await LoadAsync(model, flashAttention: true, parallel: 1))
        {
            await TurnAsync(one, a, "Tell me about boats.", compare: false);
            await TurnAsync(one, b, "Say something about trees, please.", compare: false);
        }

        Assert.Equal([1], ChunkStreams("a"));

        // Restarted with two slots and flash attention off: the streams can be rewritten but llama.cpp refuses V cells
        // stored by cell where it keeps them transposed. The file goes; the whole prompt is evaluated, as from scratch.
        await using var two = await LoadAsync(model, flashAttention: false, parallel: 2);
        var request = Request(a, "More about boats.");
        var (text, stats, _) = await GenerationRuns.RunAsync(two, request, TestContext.Current.CancellationToken);

        Assert.Equal(0, stats.CachedPromptTokens);
        Assert.Null(_store.TryGet("a"));
        await LoadReferenceAsync(model, flashAttention: false);
        var (expected, fresh, _) = await GenerationRuns.RunAsync(_reference!, request with { SessionKey = null }, TestContext.Current.CancellationToken);
        Assert.Equal(0, fresh.CachedPromptTokens);
        Assert.Equal(expected, text);
    }

    /// <summary>The reference: a one-slot engine without a store in which only session "a" runs, so its state never leaves memory.</summary>
    private async Task LoadReferenceAsync(string model, bool flashAttention) =>
        _reference = await LlamaEngine.LoadAsync(Options(model, flashAttention));

    private static EngineOptions Options(string model, bool flashAttention) =>
        TestModels.EngineOptionsFor(model, ContextSize) with { FlashAttention = flashAttention, PrepareNextTurn = false };

    /// <summary>An engine of <paramref name="parallel"/> slots over the test's state directory (a restart: a new store over the same files).</summary>
    private async Task<LlamaEngine> LoadAsync(string model, bool flashAttention, int parallel)
    {
        var options = Options(model, flashAttention);
        _store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = _dir,
            ModelIdentity = ModelFileIdentity.Compute(options.ModelPath),
        });
        return await LlamaEngine.LoadAsync(options with { SessionStateStore = _store, MinTokensToSaveState = 0, ParallelSequences = parallel });
    }

    /// <summary>The stream count of each chunk of <paramref name="session"/>'s state file, in order.</summary>
    private int[] ChunkStreams(string session)
    {
        using var saved = _store.TryGet(session);
        Assert.NotNull(saved);
        return [.. saved.Chunks.Select(chunk => SequenceStateLayout.Parse(chunk.State.Span)?.Streams ?? -1)];
    }

    /// <summary>The turn came back from the file: everything the previous turn left was kept, none of it re-read.</summary>
    private static void AssertRestored(GenerationStats turn, GenerationStats previous) =>
        Assert.True(turn.CachedPromptTokens >= previous.PromptTokens + previous.CompletionTokens - 1,
            $"cached {turn.CachedPromptTokens} of {turn.PromptTokens}; previous turn {previous.PromptTokens} + {previous.CompletionTokens}");

    private static GenerationRequest Request(Conversation conversation, string user) => new()
    {
        Messages = [.. conversation.Messages, new ChatTurn(ChatRole.User, user)],
        MaxTokens = 12,
        Sampling = SamplingOptions.Default with { Temperature = 0f },
        SessionKey = conversation.Key,
    };

    /// <summary>
    /// One turn; session "a"'s replies must equal the reference's, where "a" takes the same turns and stays in memory.
    /// </summary>
    private async Task<GenerationStats> TurnAsync(LlamaEngine engine, Conversation conversation, string user, bool compare = true)
    {
        var request = Request(conversation, user);
        var (text, stats, _) = await GenerationRuns.RunAsync(engine, request, TestContext.Current.CancellationToken);
        if (compare && conversation.Key == "a")
        {
            var (expected, kept, _) = await GenerationRuns.RunAsync(_reference!, request, TestContext.Current.CancellationToken);
            Assert.True(conversation.Messages.Count == 1 || kept.CachedPromptTokens > 0, "the reference's session left memory");
            Assert.Equal(expected, text);
        }

        // As the server's stored history does: a reply carries the ids it was generated as, so a restarted engine (which
        // never generated it) spells it as the cells in the file do.
        conversation.Messages.Add(new ChatTurn(ChatRole.User, user));
        conversation.Messages.Add(new ChatTurn(ChatRole.Assistant, text) { GeneratedTokens = stats.ReplyTokenIds });
        return stats;
    }
}
