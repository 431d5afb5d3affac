using System.Collections.Concurrent;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Scheduling;

namespace Frugal.Requests;

/// <summary>
/// The memory part of admission: asks the <see cref="MemoryGovernor"/> whether a request may start (refused
/// with <see cref="QueueFullException"/> → 503 + Retry-After in emergency mode or when it would cross the
/// limit), hands back the restrictions it must follow (reply cap, history exchanges, shorter queue), and
/// cancels the running generations on entering emergency mode when so configured.
/// </summary>
public sealed class MemoryGate : IDisposable
{
    private readonly MemoryGovernor _governor;
    private readonly ConcurrentDictionary<CancellationTokenSource, byte> _running = new();

    /// <summary>Puts <paramref name="governor"/> in front of every request of a <see cref="ChatPipeline"/>.</summary>
    public MemoryGate(MemoryGovernor governor)
    {
        ArgumentNullException.ThrowIfNull(governor);
        _governor = governor;
        _governor.LevelChanged += OnLevelChanged;
    }

    /// <summary>
    /// Admits a request of about <paramref name="promptCharacters"/> characters and a reply of
    /// <paramref name="replyTokens"/> on <paramref name="model"/>, or throws <see cref="QueueFullException"/>.
    /// </summary>
    public MemoryAdmission Admit(ModelInfo model, long promptCharacters, int replyTokens, int queueDepth, int maxQueueDepth)
    {
        ArgumentNullException.ThrowIfNull(model);
        var admission = _governor.CheckAdmission(EstimateBytes(model, promptCharacters, replyTokens));
        if (!admission.Admitted)
        {
            throw new QueueFullException(admission.Reason!, admission.RetryAfter);
        }

        var factor = admission.Restrictions.QueueDepthFactor;
        var allowed = Math.Max(1, (int)(maxQueueDepth * factor));
        if (factor < 1 && queueDepth >= allowed)
        {
            throw new QueueFullException(
                $"The queue is limited to {allowed} waiting requests while memory pressure is {admission.Status.LevelName}.", admission.RetryAfter);
        }

        return admission;
    }

    /// <summary>
    /// Caps the reply of <paramref name="generation"/> by <paramref name="restrictions"/> and says what pressure
    /// (admitted at <paramref name="level"/>) did to it, with <paramref name="droppedMessages"/> left out by its history limit.
    /// </summary>
    public static (GenerationRequest Request, MemoryNotice Notice) Apply(
        GenerationRequest generation, MemoryRestrictions restrictions, MemoryPressureLevel level, int droppedMessages)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(restrictions);
        var notice = new MemoryNotice { Level = level };
        if (droppedMessages > 0)
        {
            notice = notice with { HistoryExchanges = restrictions.HistoryExchanges, DroppedMessages = droppedMessages };
        }

        if (restrictions.ReplyTokenCap is { } cap && generation.MaxTokens > cap)
        {
            notice = notice with { ReplyTokenCap = cap, RequestedMaxTokens = generation.MaxTokens };
            generation = generation with { MaxTokens = cap };
        }

        return (generation, notice);
    }

    /// <summary>Registers a running request, so emergency mode can cancel it; give the result to <see cref="Release"/> when it ends.</summary>
    public CancellationTokenSource Track(CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _running.TryAdd(linked, 0);
        return linked;
    }

    /// <summary>Forgets a request registered with <see cref="Track"/> and disposes its source.</summary>
    public void Release(CancellationTokenSource running)
    {
        ArgumentNullException.ThrowIfNull(running);
        _running.TryRemove(running, out _);
        running.Dispose();
    }

    /// <inheritdoc/>
    public void Dispose() => _governor.LevelChanged -= OnLevelChanged;

    // The KV state a session keeps after this request (prompt + reply), which may stay in RAM.
    private static long EstimateBytes(ModelInfo model, long promptCharacters, int replyTokens)
    {
        if (model.HeadCount <= 0)
        {
            return 0;
        }

        var kvBytesPerToken = 2L * model.BlockCount * (model.EmbeddingLength / model.HeadCount * model.HeadCountKv) * 2;
        return kvBytesPerToken * ((promptCharacters / 3) + replyTokens);
    }

    private void OnLevelChanged(object? sender, MemoryStatus status)
    {
        if (!status.EmergencyMode || _governor.Options.EmergencyRunningAction != EmergencyRunningAction.Cancel)
        {
            return;
        }

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
