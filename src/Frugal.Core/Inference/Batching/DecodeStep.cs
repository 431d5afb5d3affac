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

    public DecodeStep(int batchSize, int prefillChunk)
    {
        _batchSize = batchSize;
        PrefillChunk = Math.Min(prefillChunk, batchSize);
    }

    /// <summary>
    /// The most prompt tokens of joining slots one step carries beside running slots' decode tokens (chunked
    /// prefill): a long prompt is spread over steps so running replies keep streaming while it starts. A step
    /// with no running reply in it takes a whole batch of prompt tokens (nobody waits for it).
    /// </summary>
    public int PrefillChunk { get; }

    /// <summary>Prompt tokens in the planned step (0: a decode-only step).</summary>
    public int PrefillTokens { get; private set; }

    /// <summary>The jobs in the planned step, each with its tokens and the batch index of its last one.</summary>
    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>Tokens in the planned step.</summary>
    public int TokenCount => _batch.TokenCount;

    /// <summary>
    /// Fills the step from <paramref name="running"/> (in order of joining); beside decoding slots it carries at
    /// most <paramref name="prefillBudget"/> prompt tokens (and never more than <see cref="PrefillChunk"/>).
    /// </summary>
    public void Plan(IReadOnlyList<SlotJob> running, int prefillBudget)
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

        var room = _batch.TokenCount > 0 ? Math.Min(_batchSize - _batch.TokenCount, Math.Min(prefillBudget, PrefillChunk)) : _batchSize;
        PrefillTokens = 0;
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
            PrefillTokens += count;
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
