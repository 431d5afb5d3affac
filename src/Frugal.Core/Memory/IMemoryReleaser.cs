namespace Frugal.Memory;

/// <summary>
/// Something that holds memory it can give back under pressure (the response cache, idle sessions'
/// KV state, the managed heap). Register implementations with the container; the governor calls them
/// when the pressure level rises.
/// </summary>
public interface IMemoryReleaser
{
    /// <summary>A short name for logs ("response-cache", "session-state", "gc").</summary>
    string Name { get; }

    /// <summary>
    /// Releases what is appropriate at <paramref name="level"/> (<see cref="MemoryPressureLevel.Medium"/>:
    /// caches and idle state; <see cref="MemoryPressureLevel.Critical"/>: everything releasable) and
    /// returns roughly how many bytes were freed (0 when unknown or nothing). Must not throw.
    /// </summary>
    long Release(MemoryPressureLevel level);
}
