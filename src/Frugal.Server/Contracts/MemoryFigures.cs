namespace Frugal.Server.Contracts;

/// <summary>Memory figures in bytes for <c>/status</c>; null when the system does not report one.</summary>
public sealed record MemoryFigures(long? LimitBytes, long? UsedBytes, long? AvailableBytes, long? ProcessRssBytes)
{
    /// <summary>Memory that must stay resident (anonymous memory of the box plus the mapped model): the pressure figure.</summary>
    public long? ResidentBytes { get; init; }

    /// <summary>This process's anonymous resident memory.</summary>
    public long? ProcessRssAnonymousBytes { get; init; }

    /// <summary>This process's file-backed resident memory (mostly the mapped model).</summary>
    public long? ProcessRssFileBytes { get; init; }
}
