using Frugal.Scheduling;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Frugal.Tests.Scheduling;

public sealed class UserRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Admit_PastTheBurst_RefusedWithTheTimeUntilOneRefills()
    {
        var limiter = Create(o => (o.RequestsPerMinute, o.RequestBurst) = (6, 2)); // one every 10 s

        limiter.Admit("alice");
        limiter.Admit("alice");
        var refused = Assert.Throws<UserLimitException>(() => limiter.Admit("alice"));

        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
        limiter.Admit("bob"); // a bucket of his own
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.Admit("alice");
        Assert.Throws<UserLimitException>(() => limiter.Admit("alice"));
    }

    [Fact]
    public void Admit_TokensSpent_RefusedUntilTheBalanceRefills()
    {
        var limiter = Create(o => (o.TokensPerMinute, o.TokenBurst) = (600, 100)); // 10 a second

        limiter.Admit("alice");
        limiter.Charge("alice", 150); // work measured after the fact may overdraw
        var refused = Assert.Throws<UserLimitException>(() => limiter.Admit("alice"));

        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter); // from -50 to 1 at 10 a second: 5.1 s, whole seconds up
        Assert.Contains("tokens", refused.Message, StringComparison.Ordinal);
        limiter.Admit("bob");
        _time.Advance(TimeSpan.FromSeconds(6));
        limiter.Admit("alice");
    }

    [Fact]
    public void Admit_RefusedByTokens_DoesNotAlsoSpendARequest()
    {
        var limiter = Create(o => (o.RequestsPerMinute, o.RequestBurst, o.TokensPerMinute, o.TokenBurst) = (1, 1, 60, 10));
        limiter.Charge("alice", 11);

        Assert.Throws<UserLimitException>(() => limiter.Admit("alice"));
        _time.Advance(TimeSpan.FromSeconds(2));

        limiter.Admit("alice"); // the one request of the burst is still there
    }

    [Fact]
    public void Admit_LimitsOff_NeverRefuses()
    {
        var limiter = Create(o => (o.RequestsPerMinute, o.TokensPerMinute) = (0, 0));

        for (var i = 0; i < 1_000; i++)
        {
            limiter.Admit("alice");
            limiter.Charge("alice", 100_000);
        }
    }

    [Fact]
    public void Constructor_BurstZero_Throws()
    {
        Assert.Throws<OptionsValidationException>(() => Create(o => o.RequestBurst = 0));
    }

    private UserRateLimiter Create(Action<RateLimitOptions> configure)
    {
        var options = new RateLimitOptions { RequestsPerMinute = 0, TokensPerMinute = 0 };
        configure(options);
        return new UserRateLimiter(Options.Create(options), _time);
    }
}
