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
/// would slow the running ones below the engine's floor rate). A request runs at once when a worker is free,
/// otherwise it waits in a bounded queue served round-robin between users (see <see cref="FairQueue{T}"/>);
/// the next in line takes the first worker that frees up.
/// What one user may hold is bounded (<see cref="SchedulerOptions.MaxRunningPerUser"/>,
/// <see cref="SchedulerOptions.MaxQueuedPerUser"/>, and the last places of the queue kept for users with nothing in
/// line, <see cref="SchedulerOptions.ReservedQueueShare"/>): past those the request is refused with
/// <see cref="UserLimitException"/>, and only a queue full of many users' requests gives <see cref="QueueFullException"/>.
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
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal); // under _lock: workers held per user
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
        _engine = engine;
        _options = OptionsCheck.Valid(new SchedulerOptionsValidator(), options.Value);
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
        var worker = new WorkerHold(this, userId, ticket, engine);
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
                    bool granted;
                    int position;
                    Task changed;
                    lock (_lock)
                    {
                        granted = ticket.Granted;
                        position = _queue.PositionOf(userId, ticket);
                        changed = ticket.Changed;
                    }

                    if (granted)
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

            // The worker is handed on when the generation ends, however slowly the caller reads it.
            var updates = ReplyBuffer.ReadAsync(
                token => RunOnWorkerAsync(engine, request, arrived, token), _options.ReplyBuffer, _options.SlowReaderTimeout, _time,
                worker.Release, () => Log.SlowReader(_logger, _options.ReplyBuffer, _options.SlowReaderTimeout.TotalSeconds), cancellationToken);
            await foreach (var update in updates.ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            worker.Release();
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
            // Those waiting go first when the stream limit has risen since a worker last freed up. After that a
            // worker is free only while no request that may take it waits (a freed worker goes straight to
            // the next in line), so a free worker here is this request's unless its user already runs enough.
            Dispatch(workers);
            var running = RunningOf(userId);
            if (_busyWorkers < workers && running < _options.MaxRunningPerUser)
            {
                _busyWorkers++;
                _running[userId] = running + 1;
                return null;
            }

            var waiting = _queue.CountOf(userId);
            if (waiting >= _options.MaxQueuedPerUser)
            {
                throw Refuse(userId, $"You already have {waiting} requests waiting, the most one user may have on this server. Try again when one has finished.");
            }

            if (_queue.Count >= _options.MaxQueueDepth)
            {
                Log.QueueFull(_logger, _queue.Count);
                _metrics?.QueueRejected();
                throw new QueueFullException(
                    $"The server is busy: {_queue.Count} requests are already waiting. Try again later.",
                    RetryAfter());
            }

            var reserved = (int)Math.Floor(_options.MaxQueueDepth * _options.ReservedQueueShare);
            if (running + waiting > 0 && _queue.Count >= _options.MaxQueueDepth - reserved)
            {
                throw Refuse(userId, $"The server is busy and its last {reserved} waiting places are kept for other users; you already have a request in line. Try again when it has finished.");
            }

            var ticket = new Ticket(userId);
            _queue.Enqueue(userId, ticket);
            _metrics?.QueueDepthChanged(1);
            NotifyWaiters();
            Log.Queued(_logger, _queue.Count);
            return ticket;
        }
    }

    private UserLimitException Refuse(string userId, string message)
    {
        Log.UserLimitReached(_logger, RunningOf(userId), _queue.CountOf(userId));
        _metrics?.UserLimitRejected();
        return new UserLimitException(message, RetryAfter());
    }

    private int RunningOf(string userId) => _running.GetValueOrDefault(userId);

    private bool MayRun(string userId) => RunningOf(userId) < _options.MaxRunningPerUser;

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

            // Held a worker (ran, or was granted one as it gave up): hand it to the next in line who may run,
            // unless the stream limit fell below the workers still busy.
            if (RunningOf(userId) > 1)
            {
                _running[userId]--;
            }
            else
            {
                _running.Remove(userId);
            }

            _busyWorkers--;
            Dispatch(workers);
        }
    }

    /// <summary>Under _lock: grants free workers to waiting requests whose users may run another, in round-robin order.</summary>
    private void Dispatch(int workers)
    {
        var granted = false;
        while (_busyWorkers < workers && _queue.Dequeue(MayRun) is { } next)
        {
            _metrics?.QueueDepthChanged(-1);
            _busyWorkers++;
            _running[next.UserId] = RunningOf(next.UserId) + 1;
            next.Granted = true;
            next.Notify();
            granted = true;
        }

        if (granted)
        {
            NotifyWaiters();
        }
    }

    // Read outside the lock: the engine's limit follows its step costs, which its own thread updates.
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

    // Under _lock. About one generation: when the next place is likely to free up.
    private TimeSpan RetryAfter()
    {
        var retryAfter = _typicalGeneration ?? _options.DefaultRetryAfter;
        return retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
            : retryAfter > TimeSpan.FromMinutes(2) ? TimeSpan.FromMinutes(2)
            : retryAfter;
    }

    private static Func<IInferenceEngine> NotNull(IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return () => engine;
    }

    /// <summary>A request's place with the scheduler (a worker, or a ticket in the queue), given back once.</summary>
    private sealed class WorkerHold(GenerationScheduler scheduler, string userId, Ticket? ticket, IInferenceEngine engine)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                scheduler.Leave(userId, ticket, engine);
            }
        }
    }

    /// <summary>A waiting request. Its fields are read and written under the scheduler's lock.</summary>
    private sealed class Ticket(string userId)
    {
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The user whose request this is.</summary>
        public string UserId { get; } = userId;

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
