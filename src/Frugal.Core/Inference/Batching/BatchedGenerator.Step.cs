using System.Diagnostics;
using LLama.Native;

namespace Frugal.Inference.Batching;

internal sealed partial class BatchedGenerator
{
    /// <summary>
    /// One <c>llama_decode</c>: the pending token of every decoding slot, then prompt chunks of joining
    /// slots while the batch has room; then each slot whose logits came out samples its next token.
    /// </summary>
    private void Step(LLamaBatch batch)
    {
        // Cancelled requests leave before the step, so they never hold the others back.
        foreach (var job in _running.ToArray())
        {
            if (job.IsCancelled)
            {
                Finish(job, FinishReason.Cancelled);
            }
        }

        if (_running.Count == 0)
        {
            return;
        }

        batch.Clear();
        var entries = new List<Entry>(_running.Count);

        // Tokens go in slot order: llama.cpp splits a non-unified batch into micro-batches of
        // consecutive sequence ids, so this keeps neighbours in one graph evaluation.
        foreach (var job in _running.Where(j => j.Decoding).OrderBy(j => (int)j.Slot!.Id))
        {
            var index = batch.Add(job.Pending, job.Slot!.Held.Count, job.Slot.Id, true);
            entries.Add(new Entry(job, 1, index));
        }

        var room = _batchSize - batch.TokenCount;
        foreach (var job in _running.Where(j => !j.Decoding))
        {
            if (room <= 0)
            {
                break;
            }

            var count = Math.Min(room, job.Prompt.Count - job.Evaluated);
            var index = 0;
            for (var i = job.Evaluated; i < job.Evaluated + count; i++)
            {
                index = batch.Add(job.Prompt[i], i, job.Slot!.Id, i == job.Prompt.Count - 1);
            }

            entries.Add(new Entry(job, count, index));
            room -= count;
        }

        var jobs = entries.Select(e => e.Job).ToArray();
        if (jobs.Length > _peakStepSequences)
        {
            Volatile.Write(ref _peakStepSequences, jobs.Length);
        }


        // The abort callback stops this decode only when every request in it is cancelled; one caller's
        // cancellation must not throw away the others' step.
        _abort.Condition = () => Array.TrueForAll(jobs, j => j.IsCancelled);
        DecodeResult result;
        try
        {
            result = _context.Decode(batch);
        }
        finally
        {
            _abort.Condition = null;
        }

        if (result != DecodeResult.Ok)
        {
            // Micro-batches processed before an abort or failure stay in the cache: drop them so each
            // sequence again holds exactly what its slot says.
            foreach (var entry in entries)
            {
                TrimTo(entry.Job.Slot!, entry.Job.Slot!.Held.Count);
            }

            // Aborted: every request in the step was cancelled, and leaves at the next step.
            if (result != DecodeResult.ComputeAborted)
            {
                throw new InvalidOperationException($"llama.cpp failed to decode a batch of {batch.TokenCount} tokens ({result})");
            }

            return;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var entry in entries)
        {
            var job = entry.Job;
            var slot = job.Slot!;
            if (job.Decoding)
            {
                slot.Held.Add((int)job.Pending);
            }
            else
            {
                for (var i = job.Evaluated; i < job.Evaluated + entry.Tokens; i++)
                {
                    slot.Held.Add(job.Prompt[i]);
                }

                job.Evaluated += entry.Tokens;
                if (job.Evaluated < job.Prompt.Count)
                {
                    continue;
                }

                job.Tally.PromptDone = now;
                job.StartDecoding(_model, _turnMarkers);
            }

            if (job.IsCancelled)
            {
                Finish(job, FinishReason.Cancelled);
            }
            else if (job.Sample(_context, entry.LogitsIndex, _model) is { } finish)
            {
                Finish(job, finish);
            }
        }
    }

    /// <summary>A slot's part of one step: its tokens in the batch and the batch index of its last one.</summary>
    private readonly record struct Entry(SlotJob Job, int Tokens, int LogitsIndex);
}
