namespace Frugal.Memory;

/// <summary>How close resident memory is to the limit, and so how hard Frugal saves.</summary>
public enum MemoryPressureLevel
{
    /// <summary>Normal operation.</summary>
    Low,

    /// <summary>Start saving: drop caches and idle sessions' state, compact the managed heap.</summary>
    Medium,

    /// <summary>Aggressive: cap replies, trim history, halve the queue.</summary>
    High,

    /// <summary>Emergency mode: refuse new generations, release everything releasable.</summary>
    Critical,
}
