namespace Frugal.Bench.Capacity;

/// <summary>
/// The capacity phase's simulated users: each has a session of their own, sends a message of
/// <see cref="MessageTokens"/> tokens after an exponentially distributed gap of mean <see cref="MeanGap"/>,
/// reads the <see cref="ReplyTokens"/>-token reply, and goes on for <see cref="Window"/>.
/// </summary>
public sealed record CapacityOptions
{
    /// <summary>The target: 95 % of first tokens within this time.</summary>
    public static readonly TimeSpan TtftTarget = TimeSpan.FromSeconds(3);

    /// <summary>The target: 95 % of replies stream at least this fast (tokens/s).</summary>
    public const double RateTarget = 6;

    /// <summary>The user counts measured, each for <see cref="Window"/>.</summary>
    public IReadOnlyList<int> UserCounts { get; init; } = [2, 4, 6, 8, 10, 12];

    /// <summary>How long users send messages at each count (turns in flight at its end are finished and counted).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Mean gap between a user's reply and their next message.</summary>
    public TimeSpan MeanGap { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Time compression: gaps and the window divided by this. 1 is real time; with k, one simulated user sends
    /// k times as often, so the load of n users is about that of n × k users in real time (<see cref="EquivalentUsers"/>).
    /// </summary>
    public double Compression { get; init; } = 1;

    /// <summary>Tokens of each user message.</summary>
    public int MessageTokens { get; init; } = 60;

    /// <summary>Tokens of each reply (the reply always runs to this length).</summary>
    public int ReplyTokens { get; init; } = 64;

    /// <summary>Turns one user has back to back, alone, for the single-user figures.</summary>
    public int AloneTurns { get; init; } = 5;

    /// <summary>Rounds of those turns, each policy once a round, alternating (the single-user ratio is the rounds' median).</summary>
    public int AloneRounds { get; init; } = 3;

    /// <summary>The window as run.</summary>
    public TimeSpan RunWindow => Window / Compression;

    /// <summary>The mean gap as run.</summary>
    public TimeSpan RunMeanGap => MeanGap / Compression;

    /// <summary>Real-time users whose load <paramref name="users"/> simulated users make.</summary>
    public double EquivalentUsers(int users) => users * Compression;
}
