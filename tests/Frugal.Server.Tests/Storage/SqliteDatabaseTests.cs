using Frugal.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Frugal.Tests.Storage;

public sealed class SqliteDatabaseTests
{
    [Fact]
    public void Open_NewDirectory_CreatesWalDatabaseAtLatestVersion()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "nested", "data");
        var database = SqliteDatabase.Open(data);

        Assert.Equal(Path.Combine(Path.GetFullPath(data), "frugal.db"), database.FilePath);
        Assert.Equal(SqliteDatabase.LatestSchemaVersion, database.SchemaVersion);
        Assert.Equal("wal", Scalar(database.FilePath, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteDatabase.LatestSchemaVersion, Scalar(database.FilePath, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public void Open_Twice_AppliesEachMigrationOnce()
    {
        using var temp = new TempDirectory();
        SqliteDatabase.Open(temp.Path);
        var again = SqliteDatabase.Open(temp.Path);

        Assert.Equal(SqliteDatabase.LatestSchemaVersion, again.SchemaVersion);
        Assert.Equal((long)SqliteDatabase.LatestSchemaVersion, Scalar(again.FilePath, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public void Open_DatabaseFromNewerVersion_RefusesWithExplanation()
    {
        using var temp = new TempDirectory();
        var database = SqliteDatabase.Open(temp.Path);
        Scalar(database.FilePath, "INSERT INTO schema_version VALUES (99, 'from the future', 0); SELECT 1;");

        var error = Assert.Throws<InvalidOperationException>(() => SqliteDatabase.Open(temp.Path));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    private static object? Scalar(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
