namespace Frugal.Memory;

/// <summary>
/// Reads the current <see cref="MemoryStatus"/>. A seam so that a richer probe (pressure levels,
/// page-cache accounting) can replace the simple reader without touching its callers.
/// </summary>
public interface IMemoryStatusSource
{
    /// <summary>Reads the figures now; never throws for a missing or unreadable system file.</summary>
    MemoryStatus GetStatus();
}
