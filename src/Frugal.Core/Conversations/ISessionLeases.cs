namespace Frugal.Conversations;

/// <summary>
/// One turn at a time in a session: a send holds its session's lease from before it reads the
/// history until its reply is stored, so two replies never interleave in one session — within one
/// process (<see cref="LocalSessionLeases"/>) or across every instance sharing a database (a store
/// that offers it, e.g. PostgreSQL's advisory locks).
/// </summary>
public interface ISessionLeases
{
    /// <summary>
    /// Takes the lease of <paramref name="sessionId"/>; dispose the result to give it back. Waits while
    /// another turn of this process holds it; throws <see cref="SessionBusyException"/> when another
    /// instance still holds it after the store's wait.
    /// </summary>
    ValueTask<IAsyncDisposable> AcquireAsync(string sessionId, CancellationToken cancellationToken = default);
}
