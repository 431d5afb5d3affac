namespace Frugal.Testing;

/// <summary>
/// A fresh directory under the system temp folder, deleted on dispose (SQLite's pooled handles are
/// released first, so a database in it can go too).
/// </summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates <c>frugal-tests-…</c> under the system temp folder.</summary>
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("frugal-tests-").FullName;

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> in the directory (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a native loader only leaves a stray temp directory behind.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: best effort.
        }
    }
}
