using System.ComponentModel.DataAnnotations;

namespace Frugal.Scheduling;

/// <summary>
/// Limits of the <see cref="GenerationScheduler"/>: how many may wait and how long one may run, and what one user
/// may hold of it. On a box shared by all its users, whatever one of them holds the others lose: a user's own
/// limits are refused with <see cref="UserLimitException"/> (429), a full queue with <see cref="QueueFullException"/> (503).
/// </summary>
public sealed class SchedulerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Scheduler";

    /// <summary>Default for <see cref="MaxQueueDepth"/>.</summary>
    public const int DefaultMaxQueueDepth = 16;

    /// <summary>The largest <see cref="MaxQueueDepth"/> accepted: every waiter holds a connection open.</summary>
    public const int MaxAllowedQueueDepth = 10_000;

    /// <summary>Default for <see cref="MaxGenerationTime"/>: a long reply at ~13 tokens/s, plus a full prompt.</summary>
    public static readonly TimeSpan DefaultMaxGenerationTime = TimeSpan.FromMinutes(5);

    /// <summary>Default for <see cref="DefaultRetryAfter"/>, used until a generation has been timed.</summary>
    public static readonly TimeSpan DefaultInitialRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Default for <see cref="MaxRunningPerUser"/>.</summary>
    public const int DefaultMaxRunningPerUser = 2;

    /// <summary>Default for <see cref="MaxQueuedPerUser"/>.</summary>
    public const int DefaultMaxQueuedPerUser = 4;

    /// <summary>Default for <see cref="ReservedQueueShare"/>: a quarter of the queue (4 of 16 places).</summary>
    public const double DefaultReservedQueueShare = 0.25;

    /// <summary>Default for <see cref="ReplyBuffer"/>: a default reply (256 tokens) twice over, a few tens of KiB.</summary>
    public const int DefaultReplyBuffer = 512;

    /// <summary>Default for <see cref="SlowReaderTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSlowReaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Requests that may wait for an inference worker (not counting the running ones); one more is refused.</summary>
    [Range(1, MaxAllowedQueueDepth)]
    public int MaxQueueDepth { get; set; } = DefaultMaxQueueDepth;

    /// <summary>
    /// Longest a generation may run once it has a worker; when it is reached the reply ends with
    /// finish reason <see cref="Inference.FinishReason.Length"/>. Waiting in the queue does not count.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxGenerationTime { get; set; } = DefaultMaxGenerationTime;

    /// <summary>The Retry-After given to a refused caller before any generation has been timed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DefaultRetryAfter { get; set; } = DefaultInitialRetryAfter;

    /// <summary>
    /// Requests of one user that may generate at once (with <c>--parallel</c> above 1; one worker runs one anyway).
    /// A further request of that user waits for one of its own to end, and other users' requests go first.
    /// </summary>
    [Range(1, MaxAllowedQueueDepth)]
    public int MaxRunningPerUser { get; set; } = DefaultMaxRunningPerUser;

    /// <summary>Requests of one user that may wait at once; one more is refused with 429 and <c>Retry-After</c>.</summary>
    [Range(1, MaxAllowedQueueDepth)]
    public int MaxQueuedPerUser { get; set; } = DefaultMaxQueuedPerUser;

    /// <summary>
    /// Share of <see cref="MaxQueueDepth"/> (rounded down) kept for users with nothing running or waiting: a user who
    /// already has a request in the line cannot take those last places (429), so one user's flood never makes
    /// another's first request fail with 503. 0 keeps nothing aside.
    /// </summary>
    [Range(0.0, 0.9)]
    public double ReservedQueueShare { get; set; } = DefaultReservedQueueShare;

    /// <summary>
    /// Updates (about one token each) a generation may be ahead of its reader: the engine writes its reply into a
    /// buffer this big and goes on at its own pace, so a client that reads slowly does not slow the worker down.
    /// </summary>
    [Range(1, 65_536)]
    public int ReplyBuffer { get; set; } = DefaultReplyBuffer;

    /// <summary>
    /// Longest a generation waits for room in a full <see cref="ReplyBuffer"/>; then it is cancelled (its reader still
    /// gets what was made, and a stored conversation keeps it as a partial reply), and the worker goes to the next request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SlowReaderTimeout { get; set; } = DefaultSlowReaderTimeout;
}
