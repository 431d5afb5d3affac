using Frugal.Inference;
using Frugal.Inference.State;

namespace Frugal.Tests.Inference;

/// <summary>
/// The set-up the session tests share: the engine under test, keeping sessions in a state store, beside a reference
/// engine on the same model. Each turn goes through both, and the reply under test must equal the reference's token
/// for token. The reference evaluates the whole conversation from an empty context, or, when it reuses, keeps
/// sessions in a state store of its own.
/// </summary>
internal sealed class ReferenceTurns(string directoryPrefix) : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
    private readonly SemaphoreSlim _referenceTurn = new(1, 1); // the reference takes one turn at a time
    private LlamaEngine? _engine;
    private LlamaEngine? _reference;
    private bool _referenceReuses;

    /// <summary>The engine under test.</summary>
    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("not loaded");

    /// <summary>The state store of the engine under test.</summary>
    public TieredSessionStateStore Store { get; private set; } = null!;

    /// <summary>Loads both engines with <paramref name="options"/>; only the engine under test decodes <paramref name="parallel"/> sequences.</summary>
    public async Task LoadAsync(EngineOptions options, int parallel = 1, bool referenceReuses = false, ByteSize? memoryBudget = null)
    {
        Store = NewStore("engine", options.ModelPath, memoryBudget);
        _engine = await LlamaEngine.LoadAsync(options with { SessionStateStore = Store, MinTokensToSaveState = 0, ParallelSequences = parallel });
        _referenceReuses = referenceReuses;
        _reference = await LlamaEngine.LoadAsync(referenceReuses
            ? options with { SessionStateStore = NewStore("reference", options.ModelPath, null), MinTokensToSaveState = 0 }
            : options);
    }

    /// <summary>One turn on both engines; the reply under test must equal the reference's, and both go into the conversation.</summary>
    public async Task<GenerationStats> TurnAsync(Conversation conversation, string user)
    {
        var request = new GenerationRequest
        {
            Messages = [.. conversation.Messages, new ChatTurn(ChatRole.User, user)],
            MaxTokens = 12,
            Sampling = SamplingOptions.Default with { Temperature = 0f },
            SessionKey = conversation.Key,
        };

        var (text, stats, _) = await GenerationRuns.RunAsync(_engine!, request);
        var (expected, referenceStats) = await ReferenceAsync(request);

        Assert.True(_referenceReuses || referenceStats.CachedPromptTokens == 0);
        Assert.Equal(expected, text);
        Assert.Equal(referenceStats.CompletionTokens, stats.CompletionTokens);
        conversation.Messages.Add(new ChatTurn(ChatRole.User, user));
        conversation.Messages.Add(new ChatTurn(ChatRole.Assistant, text));
        return stats;
    }

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

        _referenceTurn.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(string Text, GenerationStats Stats)> ReferenceAsync(GenerationRequest request)
    {
        await _referenceTurn.WaitAsync();
        try
        {
            if (!_referenceReuses)
            {
                await _reference!.ClearContextAsync();
                request = request with { SessionKey = null };
            }

            var (text, stats, _) = await GenerationRuns.RunAsync(_reference!, request);
            return (text, stats);
        }
        finally
        {
            _referenceTurn.Release();
        }
    }

    private TieredSessionStateStore NewStore(string name, string modelPath, ByteSize? memoryBudget) => new(new TieredSessionStateStoreOptions
    {
        DataDirectory = Path.Combine(_dir, name),
        ModelIdentity = ModelFileIdentity.Compute(modelPath),
        MemoryBudget = memoryBudget ?? TieredSessionStateStoreOptions.DefaultMemoryBudget,
    });
}
