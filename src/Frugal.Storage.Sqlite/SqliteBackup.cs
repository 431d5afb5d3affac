using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Frugal.Storage.Sqlite;

/// <summary>
/// Backups of <c>DATA/frugal.db</c> through SQLite's online backup API: a consistent snapshot while the server
/// writes (a plain copy of a WAL database is not safe), written as one self-contained file (journal mode DELETE).
/// Neither direction migrates: an upgrade takes its backup before the new schema is applied.
/// </summary>
public sealed class SqliteBackup(string dataDirectory, string? databaseFile = null) : IDatabaseBackup
{
    // DATA/frugal.db unless the database is another file (--database PATH).
    private string DatabasePath => Path.GetFullPath(databaseFile ?? Path.Combine(dataDirectory, SqliteDatabase.FileName));

    public Task<BackupSummary> BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var source = DatabasePath;
        if (!File.Exists(source))
        {
            throw new InvalidOperationException($"{source}: no database to back up.");
        }

        var target = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        File.Delete(temporary);
        // Created owner-only before anything is written: the copy holds key hashes and conversations.
        PrivateData.EnsureFile(temporary);
        using (var from = Open(source, SqliteOpenMode.ReadWrite))
        using (var to = Open(temporary, SqliteOpenMode.ReadWriteCreate))
        {
            cancellationToken.ThrowIfCancellationRequested();
            from.BackupDatabase(to);
            Execute(to, "PRAGMA journal_mode = DELETE;");
        }

        var summary = Check(temporary);
        Sync(temporary);
        File.Move(temporary, target, overwrite: true);
        return Task.FromResult(summary with { Path = target });
    }

    public Task<BackupSummary> RestoreAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var backup = Path.GetFullPath(source);
        var summary = Check(backup);
        using var held = DataDirectoryLock.TryAcquire(dataDirectory) ?? throw new InvalidOperationException(
            $"a frugal server is running on {Path.GetFullPath(dataDirectory)}; stop it first (systemctl stop frugal).");
        cancellationToken.ThrowIfCancellationRequested();
        var target = DatabasePath;
        string? aside = null;
        if (File.Exists(target))
        {
            aside = target + ".before-restore-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }.Where(s => File.Exists(target + s)))
            {
                File.Move(target + suffix, aside + suffix);
            }
        }

        var temporary = target + ".restore.tmp";
        File.Copy(backup, temporary, overwrite: true);
        Sync(temporary);
        File.Move(temporary, target);

        // Kept KV states belong to the conversations as they were; after a restore they are stale.
        var states = Path.Combine(Path.GetFullPath(dataDirectory), "kv");
        if (Directory.Exists(states))
        {
            Directory.Delete(states, recursive: true);
        }

        return Task.FromResult(summary with { Path = target, KeptAside = aside });
    }

    // Opens the file without migrating it, checks it whole, and counts what it holds.
    private static BackupSummary Check(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path}: no such backup file.");
        }

        try
        {
            using var connection = Open(path, SqliteOpenMode.ReadOnly);
            var integrity = Convert.ToString(Scalar(connection, "PRAGMA integrity_check;"), CultureInfo.InvariantCulture);
            if (integrity != "ok")
            {
                throw new InvalidOperationException($"{path}: the integrity check failed ({integrity}).");
            }

            var version = Convert.ToInt32(Scalar(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
            var known = SqliteMigrations.All[^1].Version;
            if (version > known)
            {
                throw new InvalidOperationException($"{path}: schema version {version} is newer than this Frugal knows ({known}); use a newer Frugal.");
            }

            return new BackupSummary(path, new FileInfo(path).Length, version, Count(connection, "users"), Count(connection, "sessions"), Count(connection, "messages"));
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"{path}: not a Frugal database ({e.Message}).", e);
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 10000;");
        return connection;
    }

    private static long Count(SqliteConnection connection, string table) =>
        Convert.ToInt64(Scalar(connection, $"SELECT COUNT(*) FROM {table};"), CultureInfo.InvariantCulture);

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Sync(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Flush(flushToDisk: true);
    }
}
