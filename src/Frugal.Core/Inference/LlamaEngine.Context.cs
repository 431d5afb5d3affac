using Frugal.Inference.Batching;
using LLama.Native;

namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    // What sequence 0 of the context holds: these tokens at positions 0..n-1, for this session.
    // Touched only by the generation that holds the gate.
    private readonly List<int> _held = [];
    private string? _heldSession;

    /// <summary>How a prompt evaluation ended.</summary>
    private readonly record struct Evaluation(bool Completed, int CachedTokens, int LogitsIndex);

    /// <summary>
    /// Brings sequence 0 to hold exactly <paramref name="prompt"/>, evaluating only what is not already
    /// there (kept from this session's last turn, or restored from the state store), and leaves the
    /// logits of the prompt's last token ready. Runs on a worker thread while the gate is held.
    /// </summary>
    private Evaluation EvaluatePrompt(IReadOnlyList<int> prompt, string? session, CancellationToken cancellationToken)
    {
        SwitchSession(prompt, session);

        var common = TokenPrefix.Common(_held, prompt);

        // At least the last prompt token is evaluated again: its logits give the first reply token.
        common = Math.Min(common, prompt.Count - 1);
        TrimTo(common);

        var batchSize = _options.BatchSize;
        using var batchOwner = new BatchOwner();
        var batch = batchOwner.Batch;
        var logitsIndex = 0;
        for (var start = common; start < prompt.Count; start += batchSize)
        {
            // The first batch always goes to llama.cpp, which sees a cancellation through the abort callback
            // (keeping one path for "cancelled during the prompt"); later batches are not started at all.
            if (start > common && cancellationToken.IsCancellationRequested)
            {
                return new Evaluation(false, common, 0);
            }

            var end = Math.Min(start + batchSize, prompt.Count);
            batch.Clear();
            for (var i = start; i < end; i++)
            {
                batch.Add(prompt[i], i, Sequence, i == prompt.Count - 1);
            }

            var result = _context.Decode(batch);
            if (result != DecodeResult.Ok)
            {
                // Ubatches processed before an abort or failure stay in the cache: drop them so the
                // cache again holds exactly what _held says.
                TrimTo(_held.Count);
                return result == DecodeResult.ComputeAborted
                    ? new Evaluation(false, common, 0)
                    : throw new InvalidOperationException($"llama.cpp failed to evaluate the prompt ({result})");
            }

            for (var i = start; i < end; i++)
            {
                _held.Add(prompt[i]);
            }

            logitsIndex = end - start - 1;
        }

        return new Evaluation(true, common, logitsIndex);
    }

    /// <summary>Evaluates one generated token at the end of sequence 0; false when aborted by cancellation.</summary>
    private bool DecodeOne(LLamaBatch batch, LLamaToken token)
    {
        batch.Clear();
        batch.Add(token, _held.Count, Sequence, true);
        var result = _context.Decode(batch);
        if (result == DecodeResult.Ok)
        {
            _held.Add((int)token);
            return true;
        }

        TrimTo(_held.Count);
        return result == DecodeResult.ComputeAborted
            ? false
            : throw new InvalidOperationException($"llama.cpp failed to evaluate a generated token ({result})");
    }

    /// <summary>Keeps the first <paramref name="count"/> tokens of sequence 0 and drops the rest from the KV cache.</summary>
    private void TrimTo(int count)
    {
        ForgetStoredBeyond(count);
        _context.MemorySequenceRemove(Sequence, count, -1);
        if (_held.Count > count)
        {
            _held.RemoveRange(count, _held.Count - count);
        }
    }

    /// <summary>Empties the context so the next prompt is evaluated from scratch (tests compare against it).</summary>
    internal async Task ClearContextAsync()
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _context.MemoryClear();
            _held.Clear();
            _heldSession = null;
            _heldInStore = 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>With several sequences: the most that one decode step has carried so far (for tests); 1 otherwise.</summary>
    internal int PeakStepSequences => _batched?.PeakStepSequences ?? 1;

    /// <summary>Tokens sequence 0 holds now (for tests and diagnostics).</summary>
    internal int HeldTokenCount => _held.Count;

    /// <summary>
    /// Evaluates the prompt of <paramref name="messages"/> alone, under <paramref name="cancellationToken"/>
    /// (a test seam: a token cancelled beforehand reaches llama.cpp's abort callback deterministically).
    /// </summary>
    internal async Task<bool> EvaluateOnlyAsync(IReadOnlyList<ChatTurn> messages, string? session, CancellationToken cancellationToken)
    {
        var prompt = TokenizePrompt(messages);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _abort.Token = cancellationToken;
            return await Task.Run(() => EvaluatePrompt(prompt, session, cancellationToken).Completed, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _abort.Token = default;
            _gate.Release();
        }
    }
}
