namespace Frugal.Bench;

/// <summary>The cgroup a bench ran inside: its CPU quota, its memory limit and the cgroup version.</summary>
public sealed record BenchBox(int Cpus, long MemoryBytes, string CgroupVersion)
{
    /// <summary>As written on the command line: <c>1,2g</c>.</summary>
    public override string ToString() => $"{Cpus},{new ByteSize(MemoryBytes)}";
}
