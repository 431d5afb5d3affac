namespace Frugal.Memory;

/// <summary>
/// The few file reads the memory and CPU probes need (cgroup files, <c>/proc</c>), behind a seam so
/// they can be tested on fixture directories of cgroup v1 and v2 machines.
/// </summary>
public interface IFileSystem
{
    /// <summary>True when a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>True when a directory exists at <paramref name="path"/>.</summary>
    bool DirectoryExists(string path);

    /// <summary>Reads a whole (small) file, or returns null when it cannot be read.</summary>
    string? TryReadAllText(string path);
}
