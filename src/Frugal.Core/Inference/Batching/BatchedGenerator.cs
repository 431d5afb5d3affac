using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference.Batching;

/// <summary>
/// Continuous batching over one context with several sequences: requests take a slot (a sequence), and
/// one loop decodes every running slot's next token in one <c>llama_decode</c> per step, with the prompt
/// chunks of joining slots in the same batch; new requests join between steps.
/// </summary>
internal sealed partial class BatchedGenerator : IAsyncDisposable
{
    private readonly SafeLLamaContextHandle _context;
    private readonly SafeLlamaModelHandle _model;
    private readonly AbortSignal _abort;
    private readonly int _batchSize;
    private readonly IReadOnlyList<string> _turnMarkers;
    private readonly ILogger _logger;
    private readonly Action<string, List<int>> _rememberReply;
    private readonly SequenceSlot[] _slots;
    private readonly SlotSessions _sessions;
    private readonly ConcurrentQueue<SlotJob> _arrivals = new();
    private readonly List<SlotJob> _waiting = []; // loop thread only: arrived, no slot yet, in order
    private readonly List<SlotJob> _running = []; // loop thread only: in a slot, in order of joining
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _peakStepSequences;

    public BatchedGenerator(SafeLLamaContextHandle context, SafeLlamaModelHandle model, AbortSignal abort, EngineOptions options,
        int sequences, IReadOnlyList<string> turnMarkers, Action<string, List<int>> rememberReply, ILogger logger)
    {
        _rememberReply = rememberReply;
        _context = context;
        _model = model;
        _abort = abort;
        _batchSize = options.BatchSize;
        _turnMarkers = turnMarkers;
        _logger = logger;
        _slots = [.. Enumerable.Range(0, sequences).Select(i => new SequenceSlot(i))];
        _sessions = new SlotSessions(context, options, logger);
        // A thread of its own: the loop blocks in native decodes back to back, and on a pool thread it
        // would starve the callers' continuations that read its output on a small box.
        new Thread(Run) { IsBackground = true, Name = "Frugal batch loop" }.Start();
    }

    /// <summary>
    /// Queues a tokenized prompt and streams its reply; the same contract as the engine's
    /// <c>GenerateAsync</c> (cancellation ends the stream with finish reason Cancelled, never throws).
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(IReadOnlyList<int> prompt, GenerationRequest request, int maxTokens,
        long started, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var job = new SlotJob(prompt, request, new GenerationTally(prompt.Count, started), maxTokens, cancellationToken);
        using var wakeOnCancel = cancellationToken.UnsafeRegister(static s => ((BatchedGenerator)s!).Wake(), this);
        _arrivals.Enqueue(job);
        Wake();
        try
        {
            // The loop always completes the channel: at the end of the reply, at the first step after a
            // cancellation, or when the engine is disposed.
            await foreach (var update in job.Updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            job.Abandon();
            Wake();
        }
    }

    /// <summary>The most sequences one decode step has carried so far (tests check that requests really shared steps).</summary>
    public int PeakStepSequences => Volatile.Read(ref _peakStepSequences);

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        Wake();
        await _loopEnded.Task.ConfigureAwait(false);
        _wake.Dispose();
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
        var batch = new LLamaBatch();
        while (true)
        {
            Admit();
            if (_running.Count == 0)
            {
                if (_stopping)
                {
                    break;
                }

                _wake.Wait();
                continue;
            }

            try
            {
                Step(batch);
            }
#pragma warning disable CA1031 // A failed step fails its requests (their callers see the error); the loop serves the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                FailRunning(e);
            }
        }

        // Requests that arrived while the engine was being disposed never started.
        while (_arrivals.TryDequeue(out var late))
        {
            _waiting.Add(late);
        }

        foreach (var job in _waiting)
        {
            Finish(job, FinishReason.Cancelled);
        }

        _waiting.Clear();
    }

    /// <summary>Moves arrivals into free slots in arrival order; callers that left while waiting are finished.</summary>
    private void Admit()
    {
        while (_arrivals.TryDequeue(out var arrived))
        {
            _waiting.Add(arrived);
        }

        for (var i = 0; i < _waiting.Count; i++)
        {
            var job = _waiting[i];
            if (job.IsCancelled || _stopping)
            {
                _waiting.RemoveAt(i--);
                Finish(job, FinishReason.Cancelled);
                continue;
            }

            if (SlotChooser.Choose(_slots, job.Prompt, job.Request.SessionKey) is not { } slot)
            {
                break;
            }

            _waiting.RemoveAt(i--);
            _sessions.Take(slot, job.Prompt, job.Request.SessionKey);

            // At least the last prompt token is evaluated again: its logits give the first reply token.
            var common = Math.Min(TokenPrefix.Common(slot.Held, job.Prompt), job.Prompt.Count - 1);
            TrimTo(slot, common);
            slot.Job = job;
            job.Slot = slot;
            job.Evaluated = common;
            job.Tally.CachedTokens = common;
            _running.Add(job);
        }
    }

    /// <summary>Ends <paramref name="job"/>'s stream and frees its slot.</summary>
    private void Finish(SlotJob job, FinishReason reason)
    {
        if (job.Slot is { } slot)
        {
            slot.Job = null;
            slot.LastUsed = Stopwatch.GetTimestamp();
            job.Slot = null;
            _running.Remove(job);
        }

        var stats = job.Complete(reason, _rememberReply);
        EngineLog.Finished(_logger, reason, stats.PromptTokens, stats.CachedPromptTokens, stats.CompletionTokens,
            stats.TimeToFirstToken.TotalMilliseconds);
    }

    private void FailRunning(Exception exception)
    {
        foreach (var job in _running.ToArray())
        {
            var slot = job.Slot!;
            TrimTo(slot, 0);
            slot.Session = null;
            slot.Job = null;
            job.Slot = null;
            job.Fail(exception);
        }

        _running.Clear();
    }

    /// <summary>Keeps the first <paramref name="count"/> tokens of the slot's sequence and drops the rest from the KV cache.</summary>
    private void TrimTo(SequenceSlot slot, int count)
    {
        _context.MemorySequenceRemove(slot.Id, count, -1);
        if (slot.Held.Count > count)
        {
            slot.Held.RemoveRange(count, slot.Held.Count - count);
        }
    }
}
