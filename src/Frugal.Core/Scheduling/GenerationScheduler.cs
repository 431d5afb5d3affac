using System.Runtime.CompilerServices;
using Frugal.Diagnostics;
using Frugal.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Frugal.Scheduling;

/// <summary>
/// The inference workers' line: the engine runs up to <see cref="IInferenceEngine.StreamLimit"/> generations
/// at once (one worker each; continuous batching when more than one; the limit falls when another stream
/// would slow the running ones below the engine's floor rate), and one user up to
/// <see cref="SchedulerOptions.MaxStreamsPerUser"/>. A request runs at once when it may, otherwise it waits
/// in a bounded queue served round-robin between users (see <see cref="FairQueue{T}"/>); the next in line
/// that may start takes the first worker that frees up.
/// Waiting callers see their position change; a caller that cancels while waiting leaves at once
/// (its enumeration throws <see cref="OperationCanceledException"/>); a running generation is
/// cancelled through the engine's token and ends with finish reason <see cref="FinishReason.Cancelled"/>,
/// or <see cref="FinishReason.Length"/> when <see cref="SchedulerOptions.MaxGenerationTime"/> ran out.
/// </summary>
public sealed partial class GenerationScheduler : IGenerationScheduler
{
    private readonly Func<IInferenceEngine> _engine;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly FrugalMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly FairQueue<Ticket> _queue = new();
    private readonly Dictionary<string, int> _userWorkers = new(StringComparer.Ordinal); // under _lock: busy workers by user
    private int _busyWorkers; // under _lock: workers running a generation or handed to a granted ticket
    private int _active;
    private TimeSpan? _typicalGeneration; // under _lock: smoothed duration of recent generations

    /// <summary>Schedules generations on an engine that is already loaded.</summary>
    public GenerationScheduler(
        IInferenceEngine engine,
        IOptions<SchedulerOptions> options,
        FrugalMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILogger<GenerationScheduler>? logger = null)
        : this(NotNull(engine), options, metrics, timeProvider, logger)
    {
    }

    /// <summary>
    /// Schedules generations on the engine <paramref name="engine"/> returns when a request arrives;
    /// it may throw (for example while the model is still loading), and the request then fails before
    /// it queues.
    /// </summary>
    public GenerationScheduler(
        Func<IInferenceEngine> engine,
        IOptions<SchedulerOptions> options,
        FrugalMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILogger<GenerationScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new SchedulerOptionsValidator().Validate(null, options.Value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(SchedulerOptions), typeof(SchedulerOptions), validation.Failures);
        }

        _engine = engine;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public int QueueDepth
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <inheritdoc/>
    public int ActiveGenerations => Volatile.Read(ref _active);

    /// <inheritdoc/>
    public IReadOnlyList<int> QueuePositionsOf(string userId)
    {
        lock (_lock)
        {
            return _queue.PositionsOf(userId);
        }
    }

    /// <summary>The limits this scheduler was created with.</summary>
    public SchedulerOptions Options => _options;

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatUpdate> RunAsync(string userId, GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var arrived = _time.GetTimestamp();
        var engine = _engine();
        var ticket = Enter(userId, engine);
        var holdsWorker = ticket is null;
        // Leave the queue the moment the caller cancels, even while nobody awaits this enumeration.
        using var leaveOnCancel = ticket is null ? default
            : cancellationToken.UnsafeRegister(_ => Abandon(userId, ticket), null);
        try
        {
            yield return new ChatUpdate { Admitted = ChatAdmission.Plain };
            if (ticket is not null)
            {
                var lastPosition = 0;
                while (true)
                {
                    int position;
                    Task changed;
                    lock (_lock)
                    {
                        holdsWorker = ticket.Granted;
                        position = _queue.PositionOf(userId, ticket);
                        changed = ticket.Changed;
                    }

                    if (holdsWorker)
                    {
                        break;
                    }

                    if (position != lastPosition)
                    {
                        lastPosition = position;
                        yield return new ChatUpdate { QueuePosition = position };
                    }

                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await foreach (var update in RunOnWorkerAsync(engine, request, arrived, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            Leave(userId, ticket, engine);
        }
    }

    private async IAsyncEnumerable<ChatUpdate> RunOnWorkerAsync(
        IInferenceEngine engine, GenerationRequest request, long arrived, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        GenerationStats? completed = null;
        using var timeLimit = new CancellationTokenSource(_options.MaxGenerationTime, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
        Interlocked.Increment(ref _active);
        _metrics?.GenerationStarted(_time.GetElapsedTime(arrived, started));
        try
        {
            await foreach (var update in engine.GenerateAsync(request, linked.Token).ConfigureAwait(false))
            {
                var result = update;
                if (update.Completed is { FinishReason: FinishReason.Cancelled } stats
                    && timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The caller did not cancel: the time limit ended a runaway reply.
                    Log.TimeLimitReached(_logger, _options.MaxGenerationTime.TotalSeconds, stats.CompletionTokens);
                    result = update with { Completed = stats with { FinishReason = FinishReason.Length } };
                }

                completed = result.Completed ?? completed;
                yield return ChatUpdate.From(result);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            _metrics?.GenerationEnded(completed);
            RecordDuration(_time.GetElapsedTime(started));
        }
    }

    private Ticket? Enter(string userId, IInferenceEngine engine)
    {
        var workers = Workers(engine);
        lock (_lock)
        {
            // Those already waiting go first (the limit may have risen since a worker last freed up); a worker
            // left free after that is this request's, since nobody waiting may take it.
            Dispatch(workers);
            if (_busyWorkers < workers && MayStart(userId))
            {
                Take(userId);
                return null;
            }

            if (_queue.Count >= _options.MaxQueueDepth)
            {
                var retryAfter = _typicalGeneration ?? _options.DefaultRetryAfter;
                Log.QueueFull(_logger, _queue.Count);
                _metrics?.QueueRejected();
                throw new QueueFullException(
                    $"The server is busy: {_queue.Count} requests are already waiting. Try again later.",
                    Clamp(retryAfter));
            }

            var ticket = new Ticket(userId);
            _queue.Enqueue(userId, ticket);
            _metrics?.QueueDepthChanged(1);
            NotifyWaiters();
            Log.Queued(_logger, _queue.Count);
            return ticket;
        }
    }

    private void Abandon(string userId, Ticket ticket)
    {
        lock (_lock)
        {
            if (!ticket.Granted && _queue.Remove(userId, ticket))
            {
                _metrics?.QueueDepthChanged(-1);
                NotifyWaiters();
            }
        }
    }

    private void Leave(string userId, Ticket? ticket, IInferenceEngine engine)
    {
        var workers = Workers(engine);
        lock (_lock)
        {
            if (ticket is not null && !ticket.Granted)
            {
                // Gave up while waiting: only the others' positions change.
                if (_queue.Remove(userId, ticket))
                {
                    _metrics?.QueueDepthChanged(-1);
                }

                NotifyWaiters();
                return;
            }

            // Held a worker (ran, or was granted one as it gave up): hand it to the next in line who may start.
            _busyWorkers--;
            if (_userWorkers[userId] == 1)
            {
                _userWorkers.Remove(userId);
            }
            else
            {
                _userWorkers[userId]--;
            }

            Dispatch(workers);
        }
    }

    /// <summary>Grants free workers to waiting requests whose users may start another stream, in round-robin order.</summary>
    private void Dispatch(int workers)
    {
        var granted = false;
        while (_busyWorkers < workers && _queue.Dequeue(MayStart) is { } next)
        {
            _metrics?.QueueDepthChanged(-1);
            Take(next.UserId);
            next.Granted = true;
            next.Notify();
            granted = true;
        }

        if (granted)
        {
            NotifyWaiters();
        }
    }

    private bool MayStart(string userId) => _userWorkers.GetValueOrDefault(userId) < _options.MaxStreamsPerUser;

    private void Take(string userId)
    {
        _busyWorkers++;
        _userWorkers[userId] = _userWorkers.GetValueOrDefault(userId) + 1;
    }

    private static int Workers(IInferenceEngine engine) => Math.Max(1, engine.StreamLimit);

    private void NotifyWaiters()
    {
        foreach (var waiting in _queue.Items)
        {
            waiting.Notify();
        }
    }

    private void RecordDuration(TimeSpan duration)
    {
        lock (_lock)
        {
            // Smoothed so one odd request does not swing the hint given to refused callers.
            _typicalGeneration = _typicalGeneration is { } typical ? (typical * 0.7) + (duration * 0.3) : duration;
        }
    }

    private static TimeSpan Clamp(TimeSpan retryAfter) =>
        retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
        : retryAfter > TimeSpan.FromMinutes(2) ? TimeSpan.FromMinutes(2)
        : retryAfter;

    private static Func<IInferenceEngine> NotNull(IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return () => engine;
    }

    /// <summary>A waiting request. Its fields are read and written under the scheduler's lock.</summary>
    private sealed class Ticket(string userId)
    {
        /// <summary>The user who waits.</summary>
        public string UserId { get; } = userId;

        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The worker was handed to this request.</summary>
        public bool Granted { get; set; }

        /// <summary>Completes at the next change of position or grant.</summary>
        public Task Changed => _changed.Task;

        public void Notify()
        {
            var old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }
}
