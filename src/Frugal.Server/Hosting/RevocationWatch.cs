using System.Collections.Concurrent;
using Frugal.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>
/// Ends the running requests of a revoked user. Revocation (<c>frugal user revoke</c>, often another process)
/// stops new requests at once through authentication, but a stream that already runs holds the worker for
/// minutes: while any authenticated request runs, the user list is read every <see cref="Interval"/> and the
/// connections of revoked users are aborted, which cancels their generation (the partial reply is kept).
/// </summary>
internal sealed partial class RevocationWatch(IUserStore users, ILogger<RevocationWatch> logger) : BackgroundService
{
    /// <summary>How often running requests' users are checked: a revoked stream ends within about this long.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<HttpContext, string> _running = new();

    /// <summary>Watches <paramref name="context"/> (of user <paramref name="userId"/>) until the returned handle is disposed.</summary>
    public IDisposable Watch(HttpContext context, string userId)
    {
        _running[context] = userId;
        return new Registration(this, context);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_running.IsEmpty)
            {
                continue;
            }

            try
            {
                var revoked = (await users.ListAsync(stoppingToken).ConfigureAwait(false))
                    .Where(u => u.RevokedAt is not null).Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var (context, userId) in _running)
                {
                    if (revoked.Contains(userId) && _running.TryRemove(context, out _))
                    {
                        Ended(logger, userId);
                        context.Abort();
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A locked or unreachable database delays the check to the next tick; it never stops the watch.
                CheckFailed(logger, e);
            }
        }
    }

    [LoggerMessage(5201, LogLevel.Information, "Ended a running request of revoked user {UserId}")]
    private static partial void Ended(ILogger logger, string userId);

    [LoggerMessage(5202, LogLevel.Warning, "Could not read the users to end revoked users' requests")]
    private static partial void CheckFailed(ILogger logger, Exception exception);

    private sealed class Registration(RevocationWatch watch, HttpContext context) : IDisposable
    {
        public void Dispose() => watch._running.TryRemove(context, out _);
    }
}
