namespace Frugal.Inference;

/// <summary>
/// Holds the engine while it loads in the background: the host starts serving at once and this
/// object says whether the model is loading, loaded, or failed (and why). Everything that needs the
/// engine (the scheduler, the conversation service, <c>/ready</c>) asks here instead of taking an
/// <see cref="IInferenceEngine"/> in its constructor, so nothing waits on a load at start-up.
/// </summary>
public sealed class EngineReadiness : IAsyncDisposable
{
    private readonly TaskCompletionSource<IInferenceEngine> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IInferenceEngine? _engine;
    private volatile string? _failureReason;

    /// <summary>Creates a readiness object in the <see cref="EngineLoadState.Loading"/> state.</summary>
    public EngineReadiness()
    {
    }

    /// <summary>Creates a readiness object that already holds a loaded engine (in-process use, tests).</summary>
    public EngineReadiness(IInferenceEngine engine) => SetLoaded(engine);

    /// <summary>Loading, loaded or failed.</summary>
    public EngineLoadState State => _engine is not null ? EngineLoadState.Loaded
        : _failureReason is not null ? EngineLoadState.Failed
        : EngineLoadState.Loading;

    /// <summary>Why loading failed (one line, safe to show to a client); null unless failed.</summary>
    public string? FailureReason => _failureReason;

    /// <summary>The loaded engine, or null while loading or after a failure.</summary>
    public IInferenceEngine? Engine => _engine;

    /// <summary>Completes when the engine is loaded; faults when loading failed.</summary>
    public Task<IInferenceEngine> WhenLoaded => _loaded.Task;

    /// <summary>The loaded engine; throws <see cref="EngineNotReadyException"/> (a 503 for HTTP callers) otherwise.</summary>
    public IInferenceEngine GetEngine() => _engine ?? throw new EngineNotReadyException(_failureReason is { } reason
        ? $"The model failed to load: {reason}"
        : "The model is still loading; try again shortly.");

    /// <summary>Records the loaded engine. Called once by whoever loads it.</summary>
    public void SetLoaded(IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (_engine is not null || _failureReason is not null)
        {
            throw new InvalidOperationException("The engine's load outcome was already recorded.");
        }

        _engine = engine;
        _loaded.TrySetResult(engine);
    }

    /// <summary>Records that loading failed, with a one-line reason for <c>/ready</c>.</summary>
    public void SetFailed(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (_engine is not null || _failureReason is not null)
        {
            throw new InvalidOperationException("The engine's load outcome was already recorded.");
        }

        _failureReason = reason;
        _loaded.TrySetException(new EngineNotReadyException($"The model failed to load: {reason}"));
        // Nobody may be awaiting WhenLoaded; observe the fault so it is not reported as unobserved.
        _ = _loaded.Task.Exception;
    }

    /// <summary>Disposes the engine when one was loaded.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_engine is { } engine)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }
}
