using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// Prompt reuse with several slots: sessions keep their slot between turns, move out to the state store
/// when another session needs the slot and come back from it; replies equal evaluation from scratch.
/// </summary>
/// <remarks>
/// Comparing with evaluation from scratch needs flash attention off: ggml's CPU flash attention takes a
/// tiled GEMM kernel (Q and K in F32) for micro-batches of 64 or more query rows and a per-row kernel
/// (Q converted to F16) below that, so KV cells written while decoding one token at a time differ in the
/// last bits from the same tokens evaluated as one long prompt, whatever the number of sequences. With
/// flash attention on (the default), the batched engine is compared with the single-sequence engine
/// taking the same turns with its own state store instead.
/// </remarks>
[Collection(TinyEngineCollection.Name)]
public sealed class BatchedSessionTests : IAsyncLifetime
{
    private readonly ReferenceTurns _turns = new("frugal-batched-sessions-");

    public static TheoryData<string> Models => TestModels.EngineModels;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _turns.DisposeAsync();

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_ThreeSessionsOnTwoSlots_StatesMoveThroughTheStoreAndRepliesMatchFullEvaluation(string model)
    {
        await LoadAsync(model, flashAttention: false, referenceReuses: false);
        var sessions = new[] { new Conversation("a"), new Conversation("b"), new Conversation("c") };
        var prompts = new[] { "Tell me about boats.", "Say something about trees, please.", "What is rain?" };

        var first = new List<GenerationStats>();
        for (var i = 0; i < 3; i++)
        {
            first.Add(await _turns.TurnAsync(sessions[i], prompts[i]));
        }

        // Three sessions, two slots: "a" lost its slot to "c" and comes back from the store.
        Assert.NotNull(_turns.Store.TryGet("a"));
        var second = new List<GenerationStats>();
        for (var i = 0; i < 3; i++)
        {
            second.Add(await _turns.TurnAsync(sessions[i], "Go on."));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.True(second[i].CachedPromptTokens >= first[i].PromptTokens,
                $"session {i}: cached {second[i].CachedPromptTokens} of {second[i].PromptTokens}, first prompt {first[i].PromptTokens}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_RestoredSessionLeavesItsSlotAgain_AppendsOnlyItsNewCellsAndContinuesAsFullEvaluation(string model)
    {
        await LoadAsync(model, flashAttention: false, referenceReuses: false);
        var sessions = new[] { new Conversation("a"), new Conversation("b"), new Conversation("c") };
        var prompts = new[] { "Tell me about boats.", "Say something about trees, please.", "What is rain?" };
        var file = _turns.Store.FileOf("a");
        for (var i = 0; i < 3; i++)
        {
            await _turns.TurnAsync(sessions[i], prompts[i]);
        }

        // "c" took a's slot: a's state went to its file whole.
        var whole = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        using (var first = _turns.Store.TryGet("a"))
        {
            Assert.Single(first!.Chunks);
        }

        // Round two: each session comes back from its file and pushes out the one used longest ago; a's slot goes to
        // "c" again, and a's file only grows by the cells of its second turn.
        var second = new List<GenerationStats>();
        foreach (var session in sessions)
        {
            second.Add(await _turns.TurnAsync(session, "And tomorrow?"));
        }

        var appended = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        Assert.True(appended.AsSpan(0, whole.Length).SequenceEqual(whole), "the file was rewritten, not appended to");
        using (var kept = _turns.Store.TryGet("a"))
        {
            Assert.Equal(2, kept!.Chunks.Count);
            Assert.Equal(appended.Length - whole.Length, SessionStateFileChunk(kept.Chunks[1]));
            Assert.True(kept.Chunks[1].State.Length < kept.Chunks[0].State.Length,
                $"appended {kept.Chunks[1].State.Length} bytes for {kept.Chunks[1].TokenCount} tokens, first chunk {kept.Chunks[0].State.Length} for {kept.Chunks[0].TokenCount}");
        }

        // Round three: a is restored from both chunks, joined (its whole second prompt is served from them), and its
        // reply still equals full evaluation (TurnAsync).
        var third = await _turns.TurnAsync(sessions[0], "And the day after?");
        Assert.True(third.CachedPromptTokens >= second[0].PromptTokens,
            $"cached {third.CachedPromptTokens} of {third.PromptTokens}, second prompt {second[0].PromptTokens}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_FollowUpTurnsAtOnce_EachMatchesFullEvaluation(string model)
    {
        await LoadAsync(model, flashAttention: false, referenceReuses: false);
        var sessions = new[] { new Conversation("a"), new Conversation("b"), new Conversation("c") };
        await Task.WhenAll(sessions.Select((s, i) => _turns.TurnAsync(s, $"Question number {i} about the weather.")));

        var second = await Task.WhenAll(sessions.Select(s => _turns.TurnAsync(s, "And tomorrow?")));

        Assert.Contains(second, s => s.CachedPromptTokens > 0);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_FlashAttentionOn_SameRepliesAsTheSingleSequenceEngineTakingTheSameTurns(string model)
    {
        await LoadAsync(model, flashAttention: null, referenceReuses: true);
        var sessions = new[] { new Conversation("a"), new Conversation("b"), new Conversation("c") };

        foreach (var turn in new[] { "Tell me about boats.", "Go on.", "And then?" })
        {
            foreach (var session in sessions)
            {
                await _turns.TurnAsync(session, turn);
            }
        }

        Assert.NotNull(_turns.Store.TryGet("a"));
    }

    /// <summary>
    /// The engine under test with two sequences (flash attention as given) and the single-sequence reference:
    /// evaluating every prompt from scratch, or (<paramref name="referenceReuses"/>) reusing kept and stored states
    /// the same way through a store of its own.
    /// </summary>
    private Task LoadAsync(string model, bool? flashAttention, bool referenceReuses) =>
        _turns.LoadAsync(TestModels.EngineOptionsFor(model, contextSize: 512) with { FlashAttention = flashAttention }, parallel: 2, referenceReuses);

    // The bytes a chunk takes in a state file: its header, tokens, state and checksum.
    private static long SessionStateFileChunk(SessionStateChunk chunk) => SessionStateFile.ChunkLength(chunk.TokenCount, chunk.State.Length);
}
