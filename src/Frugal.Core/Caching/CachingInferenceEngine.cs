using System.Diagnostics;
using System.Runtime.CompilerServices;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Caching;

/// <summary>
/// Answers a repeated deterministic request from a <see cref="ResponseCache"/> instead of the model,
/// streaming the kept reply with <see cref="GenerationStats.Cached"/> set; everything else passes
/// through to the engine it wraps. Only whole replies are kept: a cancelled or abandoned stream is not.
/// </summary>
public sealed class CachingInferenceEngine : IInferenceEngine
{
    private readonly IInferenceEngine _inner;
    private readonly ResponseCache _cache;
    private readonly string _modelIdentity;

    /// <summary>Wraps <paramref name="inner"/> (and owns it: disposing this disposes it).</summary>
    /// <param name="inner">The engine that makes replies.</param>
    /// <param name="cache">Where replies are kept.</param>
    /// <param name="modelIdentity">
    /// What identifies the model file (for example <see cref="Inference.State.ModelFileIdentity.Compute"/>); null
    /// derives one from the model's path, size and shape.
    /// </param>
    public CachingInferenceEngine(IInferenceEngine inner, ResponseCache cache, string? modelIdentity = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(cache);
        _inner = inner;
        _cache = cache;
        _modelIdentity = modelIdentity ?? $"{inner.Model.Path}|{inner.Model.FileSizeBytes}|{inner.Model.TensorDataBytes}|{inner.ContextSize}";
    }

    /// <summary>The cache this engine answers from (for the memory governor and metrics).</summary>
    public ResponseCache Cache => _cache;

    /// <inheritdoc/>
    public ModelInfo Model => _inner.Model;

    /// <inheritdoc/>
    public int ContextSize => _inner.ContextSize;

    /// <inheritdoc/>
    public int ParallelSequences => _inner.ParallelSequences;

    /// <inheritdoc/>
    public int StreamLimit => _inner.StreamLimit;

    /// <inheritdoc/>
    public IReadOnlyList<StreamFigures> Streams => _inner.Streams;

    /// <inheritdoc/>
    public ChatTemplateFamily TemplateFamily => _inner.TemplateFamily;

    /// <inheritdoc/>
    public int CountTokens(string text) => _inner.CountTokens(text);

    /// <inheritdoc/>
    public int CountPromptTokens(IReadOnlyList<ChatTurn> messages) => _inner.CountPromptTokens(messages);

    /// <inheritdoc/>
    public int CountPromptTokens(RawPrompt prompt) => _inner.CountPromptTokens(prompt);

    /// <inheritdoc/>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_cache.MaxBytes == 0 || !ResponseCacheKey.IsCacheable(request))
        {
            return _inner.GenerateAsync(request, cancellationToken);
        }

        var key = ResponseCacheKey.Compute(_modelIdentity, _inner.TemplateFamily, request);
        return _cache.TryGet(key) is { } cached
            ? ReplayAsync(cached, cancellationToken)
            : GenerateAndKeepAsync(key, request, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private static async IAsyncEnumerable<GenerationUpdate> ReplayAsync(CachedResponse cached, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await Task.Yield();
        var sent = 0;
        foreach (var piece in cached.Pieces)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            sent++;
            yield return new GenerationUpdate { Text = piece };
        }

        // Like the engine, a cancelled replay ends with a completed update rather than an exception.
        var cancelled = sent < cached.Pieces.Count;
        yield return new GenerationUpdate
        {
            Completed = cached.Stats with
            {
                Cached = true,
                CachedPromptTokens = cached.Stats.PromptTokens,
                TimeToFirstToken = clock.Elapsed,
                FinishReason = cancelled ? FinishReason.Cancelled : cached.Stats.FinishReason,
            },
        };
    }

    private async IAsyncEnumerable<GenerationUpdate> GenerateAndKeepAsync(string key, GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pieces = new List<string>();
        await foreach (var update in _inner.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Completed is { } stats)
            {
                if (stats.FinishReason != FinishReason.Cancelled && !cancellationToken.IsCancellationRequested)
                {
                    _cache.Put(key, new CachedResponse(pieces, stats));
                }
            }
            else if (update.Text.Length > 0)
            {
                pieces.Add(update.Text);
            }

            yield return update;
        }
    }
}
