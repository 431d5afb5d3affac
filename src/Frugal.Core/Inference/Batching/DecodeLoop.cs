using System.Diagnostics;
using System.Runtime.CompilerServices;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference.Batching;

/// <summary>
/// The engine's one decode loop, on a thread of its own: requests take a slot (a sequence of the context),
/// and each step decodes every running slot's next token and chunks of joining slots' prompts in one
/// <c>llama_decode</c> (as many prompt tokens as the running replies' time in hand over the floor pays for:
/// <see cref="PrefillBudget"/>); new requests join between steps. One slot is the single-sequence engine. Decode-only
/// steps are timed into a <see cref="StepCostModel"/>, from which <see cref="StreamLimit"/> tells how many
/// streams keep the floor rate.
/// </summary>
internal sealed class DecodeLoop : IAsyncDisposable
{
    private readonly LlamaRuntime _runtime;
    private readonly SafeLLamaContextHandle _context;
    private readonly IReadOnlyList<string> _turnMarkers;
    private readonly Func<string?, string, IReadOnlyList<int>, int[]?> _rememberReply;
    private readonly ILogger _logger;
    private readonly SequenceSlot[] _slots;
    private readonly SessionSwitcher _sessions;
    private readonly DecodeStep _step;
    private readonly SlotAdmission _admission;
    private readonly IdleWorkQueue _idleWork = new();
    private readonly StepCostModel _costs;
    private readonly StepTimer _stepTimer;
    private readonly double _floor;
    private readonly int _horizon;
    private readonly NextTurnPreparer _preparer;
    private readonly List<SlotJob> _running = []; // loop thread only: in a slot, in order of joining
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _peakStepSequences;
    private StreamFigures[] _streams = [];

    public DecodeLoop(LlamaRuntime runtime, EngineOptions options, ParallelMeasurement? measurement, IReadOnlyList<string> turnMarkers,
        Func<string?, string, IReadOnlyList<int>, int[]?> rememberReply, StepTimer stepTimer, ILogger logger)
    {
        _runtime = runtime;
        _context = runtime.Context;
        _turnMarkers = turnMarkers;
        _rememberReply = rememberReply;
        _logger = logger;
        _slots = [.. Enumerable.Range(0, runtime.Sequences).Select(i => new SequenceSlot(i))];
        _sessions = new SessionSwitcher(_context, runtime.Scratch, runtime.Streams, options, logger);
        _step = new DecodeStep(options.BatchSize, PrefillChunk(options, measurement));
        _costs = new StepCostModel(_slots.Length, measurement);
        _stepTimer = stepTimer;
        _floor = options.StreamFloorTokensPerSecond;
        _horizon = options.PrefillHorizonTokens;
        _admission = new SlotAdmission(_slots, _sessions);
        _preparer = new NextTurnPreparer(_context, runtime.Abort, options.BatchSize, _sessions);

        // A thread of its own: the loop blocks in native decodes back to back, and on a pool thread it
        // would starve the callers' continuations that read its output on a small box.
        new Thread(Run) { IsBackground = true, Name = "Frugal decode loop" }.Start();
    }

    /// <summary>The most sequences one decode step has carried so far (tests check that requests really shared steps).</summary>
    public int PeakStepSequences => Volatile.Read(ref _peakStepSequences);

    /// <summary>How many streams may run at once now: as many slots as keep each stream at or above the floor rate.</summary>
    public int StreamLimit => _costs.StreamsAbove(_floor);

    /// <summary>Prompt tokens a joining request evaluates per step beside running replies.</summary>
    public int PrefillChunkTokens => _step.PrefillChunk;

    /// <summary>The requests in slots after the last step, with their progress.</summary>
    public IReadOnlyList<StreamFigures> Streams => Volatile.Read(ref _streams);

    /// <summary>Shifted sequences laid out afresh so far (tests check that this waits for idle time).</summary>
    public int ShiftCompactions => _sessions.Compactions;

    /// <summary>Tokens the first slot holds now (for tests and diagnostics; read while idle).</summary>
    public int FirstSlotTokens => _slots[0].Held.Count;

    /// <summary>
    /// Queues a tokenized prompt and streams its reply; the contract of the engine's <c>GenerateAsync</c>
    /// (cancellation ends the stream with finish reason Cancelled, never throws).
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(SlotJob job, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var wakeOnCancel = cancellationToken.UnsafeRegister(static s => ((DecodeLoop)s!).Wake(), this);
        _admission.Enqueue(job);
        Wake();
        try
        {
            // The loop always completes the channel: at the end of the reply, at the first step after a
            // cancellation, or when the engine is disposed.
            await foreach (var update in job.Updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (!cancellationToken.IsCancellationRequested || update.Prompt is not null)
                {
                    // How the prompt was placed is a fact of the reply also when it was cancelled (a stored partial reply says it).
                    yield return update;
                }
                else if (update.Completed is { } stats)
                {
                    // The loop runs ahead of its reader: text it made after the caller cancelled is not handed
                    // out, and to the caller the reply ended by its cancellation.
                    yield return new GenerationUpdate { Completed = stats with { FinishReason = FinishReason.Cancelled } };
                }
            }
        }
        finally
        {
            job.Abandon();
            Wake();
        }
    }

    /// <summary>Empties every slot so the next prompts are evaluated from scratch (tests compare against it).</summary>
    public Task ClearAsync() => WhenIdleAsync(() =>
    {
        _context.MemoryClear();
        foreach (var slot in _slots)
        {
            slot.Held.Clear();
            slot.Session = null;
            slot.StoredTokens = 0;
            slot.ReloadPending = false;
        }
    });

    /// <summary>
    /// Queues idle work that evaluates what the next turn of <paramref name="session"/> will certainly start with
    /// (<paramref name="expected"/>: its prompt so far, the reply and the template's turn separator) when the slot
    /// still holds the session and agrees with it, so the next turn evaluates only its new message. The decode
    /// is abandoned the moment a request arrives: it never delays one.
    /// </summary>
    public void PrepareNextTurn(string session, IReadOnlyList<int> expected) =>
        _ = _idleWork.EnqueueAsync(() => _preparer.Prepare(_slots, session, expected, () => !_admission.IsEmpty));

    /// <summary>
    /// What the slot holding <paramref name="session"/> holds, read on the loop's thread while idle: its tokens and
    /// the lowest and highest position of its KV cells (for tests and diagnostics). Null when no slot holds it.
    /// </summary>
    public async Task<SlotView?> InspectAsync(string session)
    {
        SlotView? view = null;
        await WhenIdleAsync(() =>
        {
            if (Array.Find(_slots, s => string.Equals(s.Session, session, StringComparison.Ordinal)) is { } slot)
            {
                view = new SlotView([.. slot.Held], _context.MemorySequenceMinPosition(slot.Id).Value, _context.MemorySequenceMaxPosition(slot.Id).Value);
            }
        }).ConfigureAwait(false);
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        Wake();
        await _loopEnded.Task.ConfigureAwait(false);
        _wake.Dispose();
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread once no request is running or waiting.</summary>
    public Task WhenIdleAsync(Action work)
    {
        var done = _idleWork.EnqueueAsync(work);
        Wake();
        return done;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing left to wake.
        }
    }

    private void Run()
    {
        try
        {
            Loop();
        }
        finally
        {
            _loopEnded.TrySetResult();
        }
    }

    private void Loop()
    {
        while (true)
        {
            _admission.Admit(_running, _stopping, Cancel);
            PublishStreams();
            if (_running.Count == 0)
            {
                if (_admission.IsEmpty && _idleWork.RunOne())
                {
                    continue;
                }

                if (_stopping)
                {
                    break;
                }

                _wake.Wait();
                continue;
            }

            try
            {
                Step();
            }
#pragma warning disable CA1031 // A failed step fails its requests (their callers see the error); the loop serves the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                FailRunning(e);
            }
        }

        // Requests that arrived while the engine was being disposed never started.
        _admission.CancelAll(Cancel);
        _idleWork.CancelAll();
    }

    private void Cancel(SlotJob job) => Finish(job, FinishReason.Cancelled);

    /// <summary>
    /// One step: cancelled requests leave first (so they never hold the others back), then one decode,
    /// then each request whose logits came out samples its next token.
    /// </summary>
    private void Step()
    {
        foreach (var job in _running.ToArray())
        {
            if (job.LeavesBeforeStep)
            {
                Finish(job, FinishReason.Cancelled);
            }
        }

        if (_running.Count == 0)
        {
            return;
        }

        var decoding = _running.Count(j => j.Decoding);
        var remaining = _running.Where(j => !j.Decoding).Sum(j => j.Prompt.Count - j.Evaluated);
        _step.Plan(_running, PrefillBudget.Tokens(Margin(decoding, Stopwatch.GetTimestamp()), _costs.PromptToken, _step.PrefillChunk, remaining));
        if (_step.Entries.Count > _peakStepSequences)
        {
            Volatile.Write(ref _peakStepSequences, _step.Entries.Count);
        }

        var started = _stepTimer.Start();
        var result = _step.Run(_context, _runtime.Abort);
        if (result != DecodeResult.Ok)
        {
            // Micro-batches processed before an abort or failure stay in the cache: drop them so each
            // sequence again holds exactly what its slot says.
            foreach (var entry in _step.Entries)
            {
                _sessions.Trim(entry.Job.Slot!, entry.Job.Slot!.Held.Count);
            }

            // Aborted: every request in the step was cancelled, and leaves at the next step.
            if (result != DecodeResult.ComputeAborted)
            {
                throw new InvalidOperationException($"llama.cpp failed to decode a batch of {_step.TokenCount} tokens ({result})");
            }

            return;
        }

        var elapsed = _stepTimer.Elapsed(started, _step.Entries.Count, _step.PrefillTokens);
        if (_step.PrefillTokens == 0)
        {
            _costs.Record(_step.Entries.Count, elapsed);
        }
        else
        {
            _costs.RecordPrefill(decoding, _step.PrefillTokens, elapsed);
        }

        var now = Stopwatch.GetTimestamp();

        foreach (var entry in _step.Entries)
        {
            Advance(entry, now);
        }
    }

    /// <summary>
    /// The time the decoding replies have in hand for prompt tokens in the next step: the least any of them has over
    /// the floor rate over the pacing horizon (see <see cref="EngineOptions.PrefillHorizonTokens"/>), at the cost of a
    /// step of every slot's stream (the prompts being evaluated decode beside them once done); infinite when none
    /// decodes, no prompt waits to be evaluated (most steps: nothing to pace) or the pacing is off.
    /// </summary>
    private double Margin(int decoding, long now)
    {
        if (decoding == 0 || decoding == _running.Count || _horizon == 0)
        {
            return double.PositiveInfinity;
        }

        var step = (_costs.Estimate(_running.Count) ?? _costs.Estimate(decoding))?.TotalSeconds ?? 0;
        return _running.Where(j => j.Decoding).Min(j => j.Tally.FloorSlackSeconds(now, _floor, _horizon, j.MaxTokens, step));
    }

    /// <summary>Books a decoded step entry into its slot, and samples when the job's logits came out.</summary>
    private void Advance(DecodeStep.Entry entry, long now)
    {
        var job = entry.Job;
        var slot = job.Slot!;
        if (job.Decoding)
        {
            slot.Held.Add((int)job.Pending);
        }
        else
        {
            slot.Held.AddRange(job.Prompt.Skip(job.Evaluated).Take(entry.Tokens));
            job.Evaluated += entry.Tokens;
            if (job.Evaluated < job.Prompt.Count)
            {
                return;
            }

            job.Tally.PromptDone = now;
            EngineLog.PromptEvaluated(_logger, job.Prompt.Count, job.Tally.CachedTokens, job.Tally.TokenizeMilliseconds,
                Stopwatch.GetElapsedTime(job.Tally.Tokenized, now).TotalMilliseconds);
            if (job.PromptOnly)
            {
                Finish(job, job.IsCancelled ? FinishReason.Cancelled : FinishReason.Stop);
                return;
            }

            job.StartDecoding(_runtime.Weights, _turnMarkers);
        }

        if (job.IsCancelled)
        {
            Finish(job, FinishReason.Cancelled);
        }
        else if (job.Sample(_context, entry.LogitsIndex) is { } finish)
        {
            Finish(job, finish);
        }
    }

    /// <summary>Ends <paramref name="job"/>'s stream and frees its slot.</summary>
    private void Finish(SlotJob job, FinishReason reason)
    {
        if (job.Slot is { } slot)
        {
            _sessions.Settle(slot, decoded: job.Decoding || job.Evaluated > job.Tally.CachedTokens);
            if (slot.ReloadPending)
            {
                // A shifted sequence is laid out afresh (≈64 ms in bench/session-switch shift) once nobody waits, never in
                // a waiting request's way: one that comes first does it only if it keeps the shifted cells.
                _ = _idleWork.EnqueueAsync(() => _sessions.Compact(slot));
            }

            slot.Job = null;
            slot.LastUsed = Stopwatch.GetTimestamp();
            slot.Settled = slot.Held.Count;
            job.Slot = null;
            _running.Remove(job);
        }

        var stats = job.Complete(reason, _rememberReply);
        EngineLog.Finished(_logger, reason, stats.PromptTokens, stats.CachedPromptTokens, stats.CompletionTokens,
            stats.TimeToFirstToken.TotalMilliseconds);
    }

    private static int PrefillChunk(EngineOptions options, ParallelMeasurement? measurement) =>
        options.PrefillChunkTokens > 0 ? options.PrefillChunkTokens : measurement?.ChunkTokens ?? EngineOptions.DefaultPrefillChunkTokens;

    private void PublishStreams()
    {
        if (_running.Count == 0 && _streams.Length == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _streams, [.. _running.Select(job => new StreamFigures((int)job.Slot!.Id, !job.Decoding, job.Prompt.Count,
            job.Evaluated, job.Tally.CompletionTokens, job.Tally.TokensPerSecond(now)))]);
    }

    private void FailRunning(Exception exception)
    {
        foreach (var job in _running.ToArray())
        {
            var slot = job.Slot!;
            _sessions.Forget(slot);
            slot.Job = null;
            job.Slot = null;
            job.Fail(exception);
        }

        _running.Clear();
    }
}
