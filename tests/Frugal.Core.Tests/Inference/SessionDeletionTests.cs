using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference;

/// <summary>A deleted session's KV state is gone everywhere: store, disk, and the context that held it.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class SessionDeletionTests(TinyEngineFixture fixture) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-session-delete-").FullName;
    private TieredSessionStateStore _store = null!;
    private LlamaEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        var options = new EngineOptions { ModelPath = fixture.TinyModelPath, ContextSize = 512 };
        _store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = _dir,
            ModelIdentity = ModelFileIdentity.Compute(options.ModelPath),
        });
        _engine = await LlamaEngine.LoadAsync(options with { SessionStateStore = _store, MinTokensToSaveState = 0 });
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Delete_SessionHeldInTheContext_NotWrittenBackAtTheNextSwitch()
    {
        await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("A secret about apples", 4, session: "session:a"), TestContext.Current.CancellationToken);
        Assert.True(_engine.HeldTokenCount > 0);

        _store.Delete("session:a");
        await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("Something else", 4, session: "session:b"), TestContext.Current.CancellationToken);

        Assert.Null(_store.TryGet("session:a"));
        Assert.Equal(0, _store.DiskCount);
        Assert.Empty(Directory.EnumerateFiles(_store.Directory));
    }

    [Fact]
    public async Task Delete_SessionPutAway_FileRemovedAndNoPrefixReusedByTheNext()
    {
        await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("A secret about apples", 4, session: "session:a"), TestContext.Current.CancellationToken);
        await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("Other", 4, session: "session:b"), TestContext.Current.CancellationToken);
        Assert.Equal(1, _store.DiskCount);   // a was put away when b took the context

        _store.Delete("session:a");

        Assert.Equal(0, _store.DiskCount);
        Assert.True(_store.IsDeleted("session:a"));
        _store.Put("session:a", [1, 2, 3], new byte[64]);
        Assert.Null(_store.TryGet("session:a"));
    }

    [Fact]
    public async Task Delete_HeldSession_ContextClearedBeforeTheNextSessionUsesIt()
    {
        // Same system prompt and opening: without the clear, b would reuse a's cells as a prefix.
        await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("A secret about apples", 4, session: "session:a"), TestContext.Current.CancellationToken);
        _store.Delete("session:a");

        var (_, stats, _) = await GenerationRuns.RunAsync(_engine, GenerationRuns.Greedy("A secret about apples", 4, session: "session:b"),
            TestContext.Current.CancellationToken);

        Assert.Equal(0, stats.CachedPromptTokens);
    }
}
