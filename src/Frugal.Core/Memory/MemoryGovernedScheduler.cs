using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Scheduling;

namespace Frugal.Memory;

/// <summary>
/// Puts the memory governor in front of a scheduler: each request is admitted by the latest reading and
/// its estimate (refused with <see cref="QueueFullException"/> → 503 + Retry-After in emergency mode or
/// when it would cross the limit), gets the current restrictions (reply cap, history trim, half queue),
/// and running generations are cancelled on entering emergency mode when so configured.
/// </summary>
public sealed class MemoryGovernedScheduler : IGenerationScheduler, IDisposable
{
    private readonly IGenerationScheduler _inner;
    private readonly MemoryGovernor _governor;
    private readonly Func<ModelInfo?> _model;
    private readonly int _maxQueueDepth;
    private readonly ConcurrentDictionary<CancellationTokenSource, byte> _running = new();

    /// <param name="inner">The scheduler that runs generations.</param>
    /// <param name="governor">The memory governor.</param>
    /// <param name="model">The loaded model, for the per-request estimate (null while loading).</param>
    /// <param name="maxQueueDepth">The inner scheduler's normal queue depth (restricted to a share of it at high).</param>
    public MemoryGovernedScheduler(IGenerationScheduler inner, MemoryGovernor governor, Func<ModelInfo?> model, int maxQueueDepth)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(governor);
        ArgumentNullException.ThrowIfNull(model);
        _inner = inner;
        _governor = governor;
        _model = model;
        _maxQueueDepth = maxQueueDepth;
        _governor.LevelChanged += OnLevelChanged;
    }

    /// <inheritdoc/>
    public int QueueDepth => _inner.QueueDepth;

    /// <inheritdoc/>
    public int ActiveGenerations => _inner.ActiveGenerations;

    /// <inheritdoc/>
    public IReadOnlyList<int> QueuePositionsOf(string userId) => _inner.QueuePositionsOf(userId);

    /// <inheritdoc/>
    public async IAsyncEnumerable<ScheduledUpdate> RunAsync(string userId, GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var admission = _governor.CheckAdmission(EstimateRequestBytes(request));
        if (!admission.Admitted)
        {
            throw new QueueFullException(admission.Reason!, admission.RetryAfter);
        }

        var restrictions = admission.Restrictions;
        if (restrictions.QueueDepthFactor < 1 && _inner.QueueDepth >= Math.Max(1, (int)(_maxQueueDepth * restrictions.QueueDepthFactor)))
        {
            throw new QueueFullException(
                $"The queue is limited to {Math.Max(1, (int)(_maxQueueDepth * restrictions.QueueDepthFactor))} waiting requests while memory pressure is {admission.Status.LevelName}.",
                admission.RetryAfter);
        }

        var (restricted, notice) = Apply(request, restrictions, admission.Status.Level);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _running.TryAdd(linked, 0);
        try
        {
            // Every update carries the notice, so a caller can say what pressure did from whichever it sees first.
            await foreach (var update in _inner.RunAsync(userId, restricted, linked.Token).ConfigureAwait(false))
            {
                yield return update with { Memory = notice };
            }
        }
        finally
        {
            _running.TryRemove(linked, out _);
        }
    }

    /// <summary>Applies <paramref name="restrictions"/>: caps the reply and keeps only the last exchanges of history.</summary>
    public static GenerationRequest Restrict(GenerationRequest request, MemoryRestrictions restrictions) =>
        Apply(request, restrictions, MemoryPressureLevel.High).Request;

    /// <summary>
    /// Applies <paramref name="restrictions"/> (see <see cref="Restrict"/>) and says what changed for a
    /// request admitted at <paramref name="level"/>.
    /// </summary>
    public static (GenerationRequest Request, MemoryNotice Notice) Apply(GenerationRequest request, MemoryRestrictions restrictions, MemoryPressureLevel level)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(restrictions);
        var notice = new MemoryNotice { Level = level };
        var restricted = request;
        if (restrictions.ReplyTokenCap is { } cap && request.MaxTokens > cap)
        {
            restricted = restricted with { MaxTokens = cap };
            notice = notice with { ReplyTokenCap = cap, RequestedMaxTokens = request.MaxTokens };
        }

        if (restrictions.HistoryExchanges is { } exchanges)
        {
            var system = request.Messages.TakeWhile(m => m.Role == ChatRole.System).ToList();
            var rest = request.Messages.Skip(system.Count).ToList();
            var keep = Math.Min(rest.Count, (2 * exchanges) + 1); // the last N user/assistant pairs and the new message
            var start = rest.Count - keep;
            while (start < rest.Count - 1 && rest[start].Role != ChatRole.User)
            {
                start++; // never open the history with an assistant turn
            }

            if (start > 0)
            {
                restricted = restricted with { Messages = [.. system, .. rest.Skip(start)] };
                notice = notice with { HistoryExchanges = exchanges, DroppedMessages = start };
            }
        }

        return (restricted, notice);
    }

    /// <inheritdoc/>
    public void Dispose() => _governor.LevelChanged -= OnLevelChanged;

    // The KV state a session keeps after this request (prompt + reply), which may stay in RAM.
    private long EstimateRequestBytes(GenerationRequest request)
    {
        if (_model() is not { } model || model.HeadCount <= 0)
        {
            return 0;
        }

        var kvBytesPerToken = 2L * model.BlockCount * (model.EmbeddingLength / model.HeadCount * model.HeadCountKv) * 2;
        var promptTokens = request.Messages.Sum(m => (long)m.Content.Length) / 3;
        return kvBytesPerToken * (promptTokens + request.MaxTokens);
    }

    private void OnLevelChanged(object? sender, MemoryStatus status)
    {
        if (status.EmergencyMode && _governor.Options.EmergencyRunningAction == EmergencyRunningAction.Cancel)
        {
            foreach (var running in _running.Keys)
            {
                try
                {
                    running.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // It finished meanwhile.
                }
            }
        }
    }
}
