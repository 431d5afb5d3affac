namespace Frugal.Memory;

/// <summary>
/// The real file system, optionally seen from a different root: a fixture directory laid out like
/// <c>/</c> (with <c>proc/</c> and <c>sys/fs/cgroup/</c>) stands in for the machine in tests.
/// </summary>
public sealed class PhysicalFileSystem : IFileSystem
{
    private readonly string _root;

    /// <summary>Reads the machine's own files.</summary>
    public PhysicalFileSystem() : this("/") { }

    /// <summary>Reads absolute paths below <paramref name="root"/> instead of below <c>/</c>.</summary>
    public PhysicalFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = root;
    }

    /// <summary>The machine's own files.</summary>
    public static PhysicalFileSystem Instance { get; } = new();

    /// <inheritdoc/>
    public bool FileExists(string path) => File.Exists(Resolve(path));

    /// <inheritdoc/>
    public bool DirectoryExists(string path) => Directory.Exists(Resolve(path));

    /// <inheritdoc/>
    public string? TryReadAllText(string path)
    {
        try
        {
            return File.ReadAllText(Resolve(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cgroup file can vanish or refuse reading (a controller not enabled): treat it as absent.
            return null;
        }
    }

    private string Resolve(string path) => _root == "/" ? path : Path.Join(_root, path);
}
