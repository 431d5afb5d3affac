using Frugal.Diagnostics;
using Microsoft.Extensions.Options;

namespace Frugal.Scheduling;

/// <summary>
/// Each user's request and token rates (<see cref="RateLimitOptions"/>), checked by the <c>ChatPipeline</c> before any
/// work is done for a request (so a flood costs the box one dictionary look-up a request) and charged with the
/// tokens a generation did once it ends. Refusals are <see cref="UserLimitException"/> with the time until the
/// user's bucket refills. Thread-safe.
/// </summary>
public sealed class UserRateLimiter
{
    // Users remembered before full (idle) buckets are forgotten; a full bucket is what a new user gets anyway.
    private const int PruneAbove = 1_024;

    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly FrugalMetrics? _metrics;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Buckets> _users = new(StringComparer.Ordinal);

    /// <summary>Creates the limiter; the options are validated here too, so a wrong value never limits silently.</summary>
    public UserRateLimiter(IOptions<RateLimitOptions> options, TimeProvider? timeProvider = null, FrugalMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = OptionsCheck.Valid(new RateLimitOptionsValidator(), options.Value);
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics;
    }

    /// <summary>Counts one request of <paramref name="userId"/>, or throws <see cref="UserLimitException"/> when it is one too many.</summary>
    public void Admit(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        lock (_lock)
        {
            var buckets = BucketsOf(userId);
            // Tokens first: it takes nothing, so a refusal by it does not also spend a request.
            if (buckets.Tokens is { } tokens && !tokens.TryTake(0, 1, out var tokensRefill))
            {
                throw Refuse($"You have used your {_options.TokensPerMinute} tokens a minute on this server.", tokensRefill);
            }

            if (buckets.Requests is { } requests && !requests.TryTake(1, 1, out var requestsRefill))
            {
                throw Refuse($"You have sent more than {_options.RequestsPerMinute} requests a minute to this server.", requestsRefill);
            }
        }
    }

    /// <summary>Charges <paramref name="userId"/> with <paramref name="tokens"/> tokens of work done.</summary>
    public void Charge(string userId, int tokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (tokens <= 0 || _options.TokensPerMinute == 0)
        {
            return;
        }

        lock (_lock)
        {
            BucketsOf(userId).Tokens!.Debit(tokens);
        }
    }

    private Buckets BucketsOf(string userId)
    {
        if (_users.TryGetValue(userId, out var buckets))
        {
            return buckets;
        }

        if (_users.Count >= PruneAbove)
        {
            foreach (var idle in _users.Where(u => u.Value.IsFull).Select(u => u.Key).ToList())
            {
                _users.Remove(idle);
            }
        }

        buckets = new Buckets(
            _options.RequestsPerMinute > 0 ? new TokenBucket(_options.RequestBurst, _options.RequestsPerMinute, _time) : null,
            _options.TokensPerMinute > 0 ? new TokenBucket(_options.TokenBurst, _options.TokensPerMinute, _time) : null);
        _users.Add(userId, buckets);
        return buckets;
    }

    private UserLimitException Refuse(string message, TimeSpan retryAfter)
    {
        _metrics?.RateLimitRejected();
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new UserLimitException($"{message} Try again in {seconds} s.", TimeSpan.FromSeconds(seconds));
    }

    private sealed record Buckets(TokenBucket? Requests, TokenBucket? Tokens)
    {
        public bool IsFull => (Requests?.IsFull ?? true) && (Tokens?.IsFull ?? true);
    }
}
