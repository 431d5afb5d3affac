namespace Frugal.Memory;

/// <summary>Whether a new generation may start now, and if not why and when to retry.</summary>
public sealed record MemoryAdmission
{
    /// <summary>True when the request may be queued.</summary>
    public required bool Admitted { get; init; }

    /// <summary>Why it was refused (a sentence for the error body), or null when admitted.</summary>
    public string? Reason { get; init; }

    /// <summary>How long the caller should wait before retrying.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>The restrictions the admitted request must follow.</summary>
    public required MemoryRestrictions Restrictions { get; init; }

    /// <summary>The status the decision was taken on.</summary>
    public required MemoryStatus Status { get; init; }
}
