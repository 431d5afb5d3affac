using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference.State;

/// <summary>
/// Cutting and joining llama.cpp's per-sequence states, on real states the engine put in a store: what is cut keeps
/// its cells' bytes and positions, and anything not recognised to the last byte is refused (null), never guessed.
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class SequenceStateCutTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-state-cut-").FullName;
    private byte[] _state = [];
    private int _tokens;

    public async ValueTask InitializeAsync()
    {
        var options = TestModels.EngineOptionsFor("tiny", contextSize: 256);
        var store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = _dir,
            ModelIdentity = ModelFileIdentity.Compute(options.ModelPath),
        });
        // Two slots, a cache stream each (the states the batched engine cuts): one session pushes the other out of a slot.
        await using var engine = await LlamaEngine.LoadAsync(options with
        {
            SessionStateStore = store,
            MinTokensToSaveState = 0,
            PrepareNextTurn = false,
            ParallelSequences = 2,
        });
        // Long enough that the third session's prompt shares less than half of either slot (it then takes the one used longest ago).
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Tell me about boats and the sea, and why people sail.", 24, session: "a"));
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Say something about trees and forests, please.", 24, session: "b"));
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("A third thing.", 2, session: "c"));
        using var saved = store.TryGet("a") ?? throw new InvalidOperationException("a's state was not put away");
        _state = saved.Chunks[0].State.ToArray();
        _tokens = saved.Tokens.Count;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void Parse_EngineState_FindsEveryCellInPositionOrder()
    {
        var layout = SequenceStateLayout.Parse(_state);

        Assert.NotNull(layout);
        Assert.Equal(2, layout.Streams);
        Assert.Equal(Enumerable.Range(0, _tokens), layout.Positions);
        Assert.Equal(2 * (int)layout.Layers, layout.Sections.Length);
    }

    [Fact]
    public void After_PositionZero_GivesTheSameBytes()
    {
        using var cut = SequenceStateCut.After(_state, 0, _tokens);

        Assert.NotNull(cut);
        Assert.True(cut.GetSpan().SequenceEqual(_state));
    }

    [Fact]
    public void Join_OneState_GivesTheSameBytes()
    {
        using var joined = SequenceStateCut.Join([_state], 2);

        Assert.NotNull(joined);
        Assert.True(joined.GetSpan().SequenceEqual(_state));
    }

    [Fact]
    public void Join_IntoAnotherStreamCount_KeepsEveryCellWithItsPositionAndBytes()
    {
        using var one = SequenceStateCut.Join([_state], 1);
        using var three = SequenceStateCut.Join([_state], 3);
        using var back = SequenceStateCut.Join([one!.Memory], 2);
        using var mixed = SequenceStateCut.Join([SequenceStateCut.After(_state, _tokens, 0)!.Memory.ToArray(), one.Memory], 2);

        // One stream (a one-slot context's), three, and back to two, also joined to an empty two-stream state: the
        // same cells, positions and bytes; only the stream counts around them differ.
        var whole = SequenceStateLayout.Parse(_state)!;
        var data = _state.Length - whole.EntriesOffset - (4 * (whole.Streams - whole.Stream - 1));
        foreach (var (state, streams) in new[] { (one, 1), (three!, 3), (back!, 2), (mixed!, 2) })
        {
            var layout = SequenceStateLayout.Parse(state.GetSpan());
            Assert.NotNull(layout);
            Assert.Equal(streams, layout.Streams);
            Assert.Equal(whole.Positions, layout.Positions);
            Assert.Equal(state.Length, layout.EntriesOffset + data + (4 * (streams - layout.Stream - 1)));
            Assert.True(state.GetSpan().Slice(layout.EntriesOffset, data).SequenceEqual(_state.AsSpan(whole.EntriesOffset, data)));
        }

        Assert.True(mixed!.GetSpan().SequenceEqual(back!.GetSpan()));
    }

    [Fact]
    public void After_APosition_KeepsTheLaterCellsWithTheirPositionsAndBytes()
    {
        var from = _tokens / 2;

        using var cut = SequenceStateCut.After(_state, from, _tokens - from);

        Assert.NotNull(cut);
        var layout = SequenceStateLayout.Parse(cut.GetSpan());
        var whole = SequenceStateLayout.Parse(_state)!;
        Assert.NotNull(layout);
        Assert.Equal(Enumerable.Range(from, _tokens - from), layout.Positions);
        // Each K row of the later cells is the whole state's row of that cell.
        var section = layout.Sections[0];
        var source = whole.Sections[0];
        Assert.True(cut.GetSpan().Slice(section.DataOffset, (_tokens - from) * section.Unit)
            .SequenceEqual(_state.AsSpan(source.DataOffset + (from * source.Unit), (_tokens - from) * source.Unit)));
        // Joined to nothing else it is itself; an empty cut joins to nothing.
        using var rejoined = SequenceStateCut.Join([cut.Memory, SequenceStateCut.After(_state, _tokens, 0)!.Memory.ToArray()], 2);
        Assert.True(rejoined!.GetSpan().SequenceEqual(cut.GetSpan()));
    }

    [Fact]
    public void After_CountThatDoesNotMatchTheCells_IsNull()
    {
        Assert.Null(SequenceStateCut.After(_state, 1, _tokens));
        Assert.Null(SequenceStateCut.After(_state, 0, _tokens - 1));
    }

    [Fact]
    public void Parse_DamagedStates_AreNull()
    {
        Assert.Null(SequenceStateLayout.Parse(_state.AsSpan(0, _state.Length - 1)));
        Assert.Null(SequenceStateLayout.Parse([.. _state, 0]));
        Assert.Null(SequenceStateLayout.Parse(new byte[64]));
        Assert.Null(SequenceStateLayout.Parse([]));

        // The first cell's sequence count (one cell of one sequence) changed.
        var twoSequences = _state.ToArray();
        var entries = SequenceStateLayout.Parse(_state)!.EntriesOffset;
        twoSequences[entries + 4] = 2;
        Assert.Null(SequenceStateLayout.Parse(twoSequences));
        Assert.Null(SequenceStateCut.Join([_state, twoSequences], 2));
    }
}
