using Frugal.Inference.State;

namespace Frugal.Memory;

/// <summary>
/// Lets the memory governor empty the RAM tier of kept session states: any pressure above
/// <see cref="MemoryPressureLevel.Low"/> moves them out of memory (states on disk stay).
/// </summary>
public sealed class SessionStateReleaser(ISessionStateStore store) : IMemoryReleaser
{
    /// <inheritdoc/>
    public string Name => "session-state";

    /// <inheritdoc/>
    public long Release(MemoryPressureLevel level)
    {
        if (level == MemoryPressureLevel.Low)
        {
            return 0;
        }

        var before = store.MemoryBytes;
        store.ReleaseMemory();
        return before;
    }
}
