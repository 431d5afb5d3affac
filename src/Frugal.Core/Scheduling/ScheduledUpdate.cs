using Frugal.Inference;

namespace Frugal.Scheduling;

/// <summary>Either the request's place in the queue (while it waits) or a step of its generation.</summary>
public sealed record ScheduledUpdate
{
    /// <summary>1-based position in the queue while waiting; null once running.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>A step of the running generation; null while waiting.</summary>
    public GenerationUpdate? Generation { get; init; }
}
