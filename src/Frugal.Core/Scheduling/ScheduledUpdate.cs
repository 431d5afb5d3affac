using Frugal.Inference;
using Frugal.Memory;

namespace Frugal.Scheduling;

/// <summary>Either the request's place in the queue (while it waits) or a step of its generation.</summary>
public sealed record ScheduledUpdate
{
    /// <summary>1-based position in the queue while waiting; null once running.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>A step of the running generation; null while waiting.</summary>
    public GenerationUpdate? Generation { get; init; }

    /// <summary>
    /// What the memory governor did to this request (its level at admission, any cap or trim); set on
    /// every update when a <see cref="MemoryGovernedScheduler"/> is in front, else null.
    /// </summary>
    public MemoryNotice? Memory { get; init; }
}
