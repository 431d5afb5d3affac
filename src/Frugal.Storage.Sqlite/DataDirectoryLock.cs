namespace Frugal.Storage.Sqlite;

/// <summary>
/// <c>DATA/frugal.lock</c>, held exclusively by a running <c>frugal serve</c> (an advisory lock the kernel drops when the
/// process ends), so <c>frugal restore</c> can refuse to replace a database under a live server.
/// </summary>
public static class DataDirectoryLock
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string FileName = "frugal.lock";

    /// <summary>The held lock (dispose to release), or null when another process holds it.</summary>
    public static IDisposable? TryAcquire(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB) on Unix.
            return new FileStream(Path.Combine(dataDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
