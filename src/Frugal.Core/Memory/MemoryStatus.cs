namespace Frugal.Memory;

/// <summary>
/// Memory as the process sees it: the limit it lives under (the cgroup's, or the machine's when there
/// is none), what is in use against that limit, what is left, and the process's own resident size.
/// A figure is null when the system does not report it.
/// </summary>
/// <param name="LimitBytes">The memory limit (cgroup limit, else physical memory).</param>
/// <param name="UsedBytes">Memory charged against the limit (cgroup usage, page cache included, else the machine's used memory).</param>
/// <param name="AvailableBytes">What can still be used before the limit.</param>
/// <param name="ProcessRssBytes">This process's resident set size.</param>
public sealed record MemoryStatus(long? LimitBytes, long? UsedBytes, long? AvailableBytes, long? ProcessRssBytes);
