using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using LLama;
using LLama.Native;

namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    /// <inheritdoc />
    /// <remarks>
    /// Cancellation never throws out of the stream: whether it arrives while waiting for the engine,
    /// during the prompt evaluation (llama.cpp's abort callback interrupts it) or between tokens, the
    /// stream ends with a completed update whose finish reason is <see cref="FinishReason.Cancelled"/>;
    /// no text is emitted after the cancellation is seen. Argument problems throw on the first
    /// <c>MoveNextAsync</c>: <see cref="ArgumentException"/> for an empty conversation or a
    /// non-positive token limit, <see cref="PromptTooLongException"/> when the prompt leaves no room for
    /// a reply. Time to first token counts from the first <c>MoveNextAsync</c>, waiting included.
    /// </remarks>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("the conversation has no messages", nameof(request));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxTokens, nameof(request));
        var started = Stopwatch.GetTimestamp();
        var prompt = TokenizePrompt(request.Messages);
        var tokenized = Stopwatch.GetTimestamp();
        if (prompt.Count >= ContextSize)
        {
            throw new PromptTooLongException(prompt.Count, ContextSize);
        }

        if (_batched is not null)
        {
            await foreach (var update in _batched.GenerateAsync(prompt, request, Math.Min(request.MaxTokens, ContextSize - prompt.Count),
                started, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        if (!await EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Completed(new GenerationTally(prompt.Count, started), FinishReason.Cancelled);
            yield break;
        }

        try
        {
            var tally = new GenerationTally(prompt.Count, started);
            _abort.Token = cancellationToken;
            var evaluation = await Task.Run(() => EvaluatePrompt(prompt, request.SessionKey, cancellationToken), CancellationToken.None)
                .ConfigureAwait(false);
            tally.CachedTokens = evaluation.CachedTokens;
            tally.PromptDone = Stopwatch.GetTimestamp();
            EngineLog.PromptEvaluated(_logger, prompt.Count, evaluation.CachedTokens, Stopwatch.GetElapsedTime(started, tokenized).TotalMilliseconds,
                Stopwatch.GetElapsedTime(tokenized, tally.PromptDone).TotalMilliseconds);
            if (!evaluation.Completed)
            {
                yield return Completed(tally, FinishReason.Cancelled);
                yield break;
            }

            using var sampler = SamplerChain.Create(request.Sampling);
            foreach (var token in prompt.Skip(Math.Max(0, prompt.Count - SamplerChain.PenaltyWindow)))
            {
                // The repeat penalty sees the end of the conversation, as llama.cpp's server does.
                sampler.Accept(token);
            }

            var decoder = new StreamingTokenDecoder(Encoding.UTF8, _model);
            var stops = new StopStringFilter(request.Stop.Concat(_format.TurnMarkers));
            var vocab = _model.Vocab;
            var maxTokens = Math.Min(request.MaxTokens, ContextSize - prompt.Count);
            var logitsIndex = evaluation.LogitsIndex;
            using var batch = new BatchOwner();
            var generated = new List<int>(Math.Min(maxTokens, 1024));
            var emitted = new StringBuilder();
            FinishReason finish;
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    finish = FinishReason.Cancelled;
                    break;
                }

                var token = sampler.Sample(_context, logitsIndex);
                tally.TokenSampled();
                if (request.StopAtEndOfSequence && token.IsEndOfGeneration(vocab))
                {
                    finish = FinishReason.Stop;
                    break;
                }

                tally.CompletionTokens++;
                generated.Add((int)token);
                decoder.Add(token);
                var text = stops.Push(decoder.Read());
                if (text.Length > 0)
                {
                    emitted.Append(text);
                    yield return new GenerationUpdate { Text = text };
                }

                if (stops.Stopped)
                {
                    finish = FinishReason.Stop;
                    break;
                }

                if (tally.CompletionTokens >= maxTokens)
                {
                    finish = FinishReason.Length;
                    break;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    finish = FinishReason.Cancelled;
                    break;
                }

                // Feed the token back to get the next one's logits; the abort callback can stop this too.
                if (!await Task.Run(() => DecodeOne(batch.Batch, token), CancellationToken.None).ConfigureAwait(false))
                {
                    finish = FinishReason.Cancelled;
                    break;
                }

                logitsIndex = 0;
            }

            if (finish != FinishReason.Cancelled)
            {
                // Text held back as a possible stop-string start that never completed is part of the reply.
                var rest = stops.Flush();
                if (rest.Length > 0)
                {
                    emitted.Append(rest);
                    yield return new GenerationUpdate { Text = rest };
                }
            }

            RememberReply(emitted.ToString(), generated);

            yield return Completed(tally, finish);
        }
        finally
        {
            _abort.Token = default;
            _gate.Release();
        }
    }

    private async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private GenerationUpdate Completed(GenerationTally tally, FinishReason reason)
    {
        var stats = tally.ToStats(reason);
        EngineLog.Finished(_logger, reason, stats.PromptTokens, stats.CachedPromptTokens, stats.CompletionTokens,
            stats.TimeToFirstToken.TotalMilliseconds);
        return new GenerationUpdate { Completed = stats };
    }

    /// <summary>An <see cref="LLamaBatch"/> for single-token steps, owned by one generation.</summary>
    private sealed class BatchOwner : IDisposable
    {
        public LLamaBatch Batch { get; } = new();

        public void Dispose() => Batch.Clear();
    }
}
