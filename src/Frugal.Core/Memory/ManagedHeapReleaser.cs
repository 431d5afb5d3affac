using System.Runtime;

namespace Frugal.Memory;

/// <summary>Compacts the managed heap (large-object heap included) and returns freed pages to the system.</summary>
public sealed class ManagedHeapReleaser : IMemoryReleaser
{
    /// <inheritdoc/>
    public string Name => "gc";

    /// <inheritdoc/>
    public long Release(MemoryPressureLevel level)
    {
        var before = GC.GetTotalMemory(forceFullCollection: false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return Math.Max(0, before - GC.GetTotalMemory(forceFullCollection: false));
    }
}
