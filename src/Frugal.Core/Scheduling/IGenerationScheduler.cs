using Frugal.Inference;

namespace Frugal.Scheduling;

/// <summary>
/// Puts generations in line for the engine's inference workers (one per parallel sequence): a bounded queue, fair across users
/// (one user with many requests cannot starve the others), that a caller leaves by cancelling.
/// </summary>
public interface IGenerationScheduler
{
    /// <summary>
    /// Waits for <paramref name="request"/>'s turn, then streams its generation. While waiting it
    /// yields updates with <see cref="ScheduledUpdate.QueuePosition"/> set; once running, updates with
    /// <see cref="ScheduledUpdate.Generation"/> set. The first <c>MoveNextAsync</c> throws
    /// <see cref="QueueFullException"/> when the queue is full. Cancelling leaves the queue at once,
    /// or stops a running generation within one token.
    /// </summary>
    IAsyncEnumerable<ScheduledUpdate> RunAsync(string userId, GenerationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Requests waiting, not counting the running ones.</summary>
    int QueueDepth { get; }

    /// <summary>Generations running now.</summary>
    int ActiveGenerations { get; }

    /// <summary>The 1-based queue positions of <paramref name="userId"/>'s waiting requests, nearest first.</summary>
    IReadOnlyList<int> QueuePositionsOf(string userId);
}
