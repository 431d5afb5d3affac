namespace Frugal.Memory;

/// <summary>
/// Finds the cgroup directories of this process from <c>/proc/self/cgroup</c>: the memory and CPU
/// controllers' directories on cgroup v1, the one unified directory on cgroup v2.
/// </summary>
internal sealed record CgroupLocator(CgroupVersion Version, string? MemoryDirectory, string? CpuDirectory)
{
    private const string Root = "/sys/fs/cgroup";

    public static CgroupLocator Locate(IFileSystem fileSystem)
    {
        var membership = fileSystem.TryReadAllText("/proc/self/cgroup") ?? string.Empty;

        // Pure cgroup v2: the root lists its controllers. A hybrid machine mounts v2 at
        // /sys/fs/cgroup/unified without the memory controller, which tells us nothing about limits.
        var rootControllers = fileSystem.TryReadAllText($"{Root}/cgroup.controllers");
        if (rootControllers is not null && rootControllers.Split(' ', '\n').Contains("memory"))
        {
            var dir = Existing(fileSystem, Root, PathOf(membership, controller: null)) ?? Root;
            return new CgroupLocator(CgroupVersion.V2, dir, dir);
        }

        if (fileSystem.FileExists($"{Root}/memory/memory.limit_in_bytes"))
        {
            var memory = Existing(fileSystem, $"{Root}/memory", PathOf(membership, "memory")) ?? $"{Root}/memory";
            var cpuMount = fileSystem.DirectoryExists($"{Root}/cpu") ? $"{Root}/cpu" : $"{Root}/cpu,cpuacct";
            var cpu = Existing(fileSystem, cpuMount, PathOf(membership, "cpu")) ?? cpuMount;
            return new CgroupLocator(CgroupVersion.V1, memory, cpu);
        }

        return new CgroupLocator(CgroupVersion.None, null, null);
    }

    /// <summary>The directory and its ancestors down to (and including) <paramref name="mount"/>, innermost first.</summary>
    public static IEnumerable<string> SelfAndAncestors(string directory, string mount)
    {
        var current = directory.TrimEnd('/');
        while (current.Length > mount.Length && current.StartsWith(mount, StringComparison.Ordinal))
        {
            yield return current;
            current = current[..current.LastIndexOf('/')];
        }

        yield return mount;
    }

    /// <summary>The mount of the hierarchy that holds <paramref name="directory"/>.</summary>
    public string MountOf(string directory)
    {
        if (Version == CgroupVersion.V2)
        {
            return Root;
        }

        var next = directory.IndexOf('/', Root.Length + 1);
        return next < 0 ? directory : directory[..next];
    }

    // "4:memory:/a/b" (v1, controller named) or "0::/a/b" (v2, controller null).
    private static string? PathOf(string membership, string? controller)
    {
        foreach (var line in membership.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var matches = controller is null
                ? parts[0] == "0" && parts[1].Length == 0
                : parts[1].Split(',').Contains(controller);
            if (matches)
            {
                return parts[2].Trim();
            }
        }

        return null;
    }

    // Inside a container the listed path may not exist from our mount namespace; then the mount is ours.
    private static string? Existing(IFileSystem fileSystem, string mount, string? relative)
    {
        if (string.IsNullOrEmpty(relative) || relative == "/")
        {
            return null;
        }

        var candidate = mount + relative.TrimEnd('/');
        return fileSystem.DirectoryExists(candidate) ? candidate : null;
    }
}
