using Frugal.Server.Hosting;
using Frugal.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Frugal.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryPermissionsTests : IDisposable
{
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _root = Directory.CreateTempSubdirectory("frugal-perm-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Open_NewDataDirectory_DirectoryAndDatabaseWalShmPrivate()
    {
        var data = Path.Combine(_root, "data");
        var database = SqliteDatabase.Open(data);
        var users = new SqliteUserStore(database);

        await users.CreateAsync("alice", TestContext.Current.CancellationToken);   // a write, so the WAL and shared-memory files exist

        Assert.Equal(Mode700, File.GetUnixFileMode(data));
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            Assert.Equal(Mode600, File.GetUnixFileMode(database.FilePath + suffix));
        }
    }

    [Fact]
    public void Open_ExistingWorldReadableDatabase_NarrowedToOwner()
    {
        var data = Path.Combine(_root, "old");
        var first = SqliteDatabase.Open(data);
        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(first.FilePath, Mode600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var reopened = SqliteDatabase.Open(data);

        Assert.Equal(Mode600, File.GetUnixFileMode(reopened.FilePath));
    }

    [Fact]
    public void Build_DataDirectoryWritableByOthers_RefusesToStart()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        File.SetUnixFileMode(data, Mode700 | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var error = Assert.Throws<ServerStartException>(() => ServerFixture.Build(data));

        Assert.Contains("writable by other users", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, SqliteDatabase.FileName)));
    }
}
