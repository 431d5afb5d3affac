using System.ComponentModel.DataAnnotations;

namespace Frugal.Scheduling;

/// <summary>Limits of the <see cref="GenerationScheduler"/>: how many may wait and how long one may run.</summary>
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

    /// <summary>Default for <see cref="MaxStreamsPerUser"/>.</summary>
    public const int DefaultMaxStreamsPerUser = 2;

    /// <summary>
    /// Generations one user may have running at once; more of theirs wait in the queue while other users'
    /// requests go ahead (on a one-core box a stream is a share of the core: one user's tabs must not take
    /// every stream).
    /// </summary>
    [Range(1, 1024)]
    public int MaxStreamsPerUser { get; set; } = DefaultMaxStreamsPerUser;

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
}
