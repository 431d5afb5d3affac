namespace Frugal.Memory;

/// <summary>Where a memory limit came from.</summary>
public enum CgroupVersion
{
    /// <summary>No cgroup limits this process: the machine's own memory (<c>/proc/meminfo</c>) applies.</summary>
    None,

    /// <summary>cgroup v1 (separate <c>memory/</c> and <c>cpu/</c> hierarchies).</summary>
    V1,

    /// <summary>cgroup v2 (the unified hierarchy).</summary>
    V2,
}
