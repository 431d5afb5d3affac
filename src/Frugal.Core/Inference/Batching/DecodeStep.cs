using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// One <c>llama_decode</c> of the loop: the pending token of every decoding slot, then chunks of joining
/// slots' prompts (chunked prefill) while the step has room. Owns the native batch, reused step to step.
/// </summary>
internal sealed class DecodeStep
{
    private readonly LLamaBatch _batch = new();
    private readonly List<Entry> _entries = [];
    private readonly int _batchSize;

    public DecodeStep(int batchSize)
    {
        _batchSize = batchSize;
        PrefillBudget = batchSize;
    }

    /// <summary>
    /// The most prompt tokens of joining slots one step carries beside the running slots' decode tokens.
    /// Today the whole batch (a joining prompt is evaluated as fast as possible, and running replies wait
    /// for it); a smaller budget spreads a long prompt over steps so running replies keep their pace.
    /// </summary>
    public int PrefillBudget { get; init; }

    /// <summary>The jobs in the planned step, each with its tokens and the batch index of its last one.</summary>
    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>Tokens in the planned step.</summary>
    public int TokenCount => _batch.TokenCount;

    /// <summary>Fills the step from <paramref name="running"/> (in order of joining).</summary>
    public void Plan(IReadOnlyList<SlotJob> running)
    {
        _batch.Clear();
        _entries.Clear();

        // Tokens go in slot order: llama.cpp splits a non-unified batch into micro-batches of
        // consecutive sequence ids, so this keeps neighbours in one graph evaluation.
        foreach (var job in running.Where(j => j.Decoding).OrderBy(j => (int)j.Slot!.Id))
        {
            var index = _batch.Add(job.Pending, job.Slot!.Held.Count, job.Slot.Id, true);
            _entries.Add(new Entry(job, 1, index));
        }

        var room = Math.Min(_batchSize - _batch.TokenCount, PrefillBudget);
        foreach (var job in running.Where(j => !j.Decoding))
        {
            if (room <= 0)
            {
                break;
            }

            var count = Math.Min(room, job.Prompt.Count - job.Evaluated);
            var index = 0;
            for (var i = job.Evaluated; i < job.Evaluated + count; i++)
            {
                index = _batch.Add(job.Prompt[i], i, job.Slot!.Id, i == job.Prompt.Count - 1);
            }

            _entries.Add(new Entry(job, count, index));
            room -= count;
        }
    }

    /// <summary>
    /// Decodes the planned step. The abort callback stops it only when every request in it is cancelled:
    /// one caller's cancellation must not throw away the others' step.
    /// </summary>
    public DecodeResult Run(SafeLLamaContextHandle context, AbortSignal abort)
    {
        var jobs = _entries.Select(e => e.Job).ToArray();
        foreach (var job in jobs)
        {
            job.EnteredDecode();
        }

        abort.Condition = () => Array.TrueForAll(jobs, j => j.IsCancelled);
        try
        {
            return context.Decode(_batch);
        }
        finally
        {
            abort.Condition = null;
        }
    }

    /// <summary>A job's part of one step: its tokens in the batch and the batch index of its last one.</summary>
    public readonly record struct Entry(SlotJob Job, int Tokens, int LogitsIndex);
}
