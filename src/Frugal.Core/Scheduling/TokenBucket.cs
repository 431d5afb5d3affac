namespace Frugal.Scheduling;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>'s clock: holds up to a capacity, refills at a steady rate, and may be
/// debited below zero for work measured after the fact. Not thread-safe; its owner locks around every call.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _capacity;
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private double _balance;
    private long _refilledAt;

    /// <summary>A full bucket of <paramref name="capacity"/> refilling <paramref name="perMinute"/> each minute.</summary>
    public TokenBucket(double capacity, double perMinute, TimeProvider time)
    {
        _capacity = capacity;
        _perSecond = perMinute / 60;
        _time = time;
        _balance = capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Whether the bucket is full (nothing of its user is remembered that a new bucket would not give).</summary>
    public bool IsFull
    {
        get
        {
            Refill();
            return _balance >= _capacity;
        }
    }

    /// <summary>
    /// Takes <paramref name="amount"/> when the bucket holds at least <paramref name="needed"/>; otherwise takes nothing
    /// and says how long until it will.
    /// </summary>
    public bool TryTake(double amount, double needed, out TimeSpan retryAfter)
    {
        Refill();
        if (_balance >= needed)
        {
            _balance -= amount;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds((needed - _balance) / _perSecond);
        return false;
    }

    /// <summary>Takes <paramref name="amount"/> whatever the balance (work already done), down to minus one capacity.</summary>
    public void Debit(double amount)
    {
        Refill();
        _balance = Math.Max(-_capacity, _balance - amount);
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _balance = Math.Min(_capacity, _balance + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond));
        _refilledAt = now;
    }
}
