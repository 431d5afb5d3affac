using Frugal.Inference;

namespace Frugal.Scheduling;

/// <summary>
/// Puts generations in line for the engine's inference workers (one per parallel sequence): a bounded queue, fair across users
/// (one user with many requests cannot starve the others), that a caller leaves by cancelling.
/// </summary>
public interface IGenerationScheduler
{
    /// <summary>
    /// Admits <paramref name="request"/>, waits for its turn, then streams its generation: first an update with
    /// <see cref="ChatUpdate.Admitted"/> set, then <see cref="ChatUpdate.QueuePosition"/>s while waiting, then the
    /// reply's text and its figures (<see cref="ChatUpdate.Completed"/>). The first <c>MoveNextAsync</c> throws
    /// <see cref="QueueFullException"/> when the request is not admitted. Cancelling leaves the queue at once,
    /// or stops a running generation within one token.
    /// </summary>
    IAsyncEnumerable<ChatUpdate> RunAsync(string userId, GenerationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Requests waiting, not counting the running ones.</summary>
    int QueueDepth { get; }

    /// <summary>Generations running now.</summary>
    int ActiveGenerations { get; }

    /// <summary>The 1-based queue positions of <paramref name="userId"/>'s waiting requests, nearest first.</summary>
    IReadOnlyList<int> QueuePositionsOf(string userId);
}
