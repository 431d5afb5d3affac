using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Frugal.Storage.Sqlite;

/// <summary>
/// The one SQLite file under the data directory (<c>frugal.db</c>): opens it in WAL mode, applies
/// pending migrations, and hands out short-lived pooled connections with a busy timeout, so the CLI
/// (<c>frugal user add</c>) can write while the server runs.
/// </summary>
public sealed class SqliteDatabase
{
    /// <summary>The database file's name inside the data directory.</summary>
    public const string FileName = "frugal.db";

    private const int BusyTimeoutMilliseconds = 10_000;
    private readonly string _connectionString;

    private SqliteDatabase(string filePath)
    {
        FilePath = filePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>The schema version after migrations.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>The newest schema version this Frugal knows (what <see cref="SchemaVersion"/> is after a successful open).</summary>
    public static int LatestSchemaVersion => SqliteMigrations.All[^1].Version;

    /// <summary>
    /// Creates the data directory when missing (0700; one others can write to is refused), opens (or creates, 0600)
    /// <c>{dataDirectory}/frugal.db</c> and migrates it.
    /// </summary>
    public static SqliteDatabase Open(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        return OpenFile(Path.Combine(dataDirectory, FileName));
    }

    /// <summary>
    /// Creates the file's directory when missing (0700; one others can write to is refused), opens (or creates, 0600)
    /// the database file and migrates it.
    /// </summary>
    public static SqliteDatabase OpenFile(string filePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var fullPath = Path.GetFullPath(filePath);
        var file = Path.Combine(PrivateData.EnsureDirectory(Path.GetDirectoryName(fullPath)!), Path.GetFileName(fullPath));

        // SQLite creates the -wal and -shm files with the database file's mode, so one 0600 file keeps all three private.
        PrivateData.EnsureFile(file);
        PrivateData.Narrow(file + "-wal");
        PrivateData.Narrow(file + "-shm");
        var database = new SqliteDatabase(file);
        database.Migrate();
        return database;
    }

    /// <summary>Opens a connection with the per-connection settings applied. Dispose it soon: it returns to the pool.</summary>
    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // synchronous=FULL: a committed message survives a power cut, not only a process kill.
        command.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
        command.ExecuteNonQuery();
        return connection;
    }

    private void Migrate()
    {
        using var connection = OpenConnection();
        using (var wal = connection.CreateCommand())
        {
            // WAL is a property of the file: set once, it stays.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version      INTEGER PRIMARY KEY,
                    description  TEXT    NOT NULL,
                    applied_at   INTEGER NOT NULL
                );
                """;
            create.ExecuteNonQuery();
        }

        var known = SqliteMigrations.All[^1].Version;
        foreach (var (version, description, sql) in SqliteMigrations.All)
        {
            // One transaction per migration; re-reading the version inside it makes two processes
            // starting at once apply each migration exactly once.
            using var transaction = connection.BeginTransaction();
            var current = ReadVersion(connection, transaction);
            if (current > known)
            {
                throw new InvalidOperationException(
                    $"{FilePath}: the database has schema version {current}, newer than this Frugal knows ({known}); use a newer Frugal.");
            }

            if (version > current)
            {
                using var migrate = connection.CreateCommand();
                migrate.Transaction = transaction;
                migrate.CommandText = sql + """

                    INSERT INTO schema_version (version, description, applied_at) VALUES ($version, $description, $now);
                    """;
                migrate.Parameters.AddWithValue("$version", version);
                migrate.Parameters.AddWithValue("$description", description);
                migrate.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                migrate.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        using var final = connection.BeginTransaction();
        SchemaVersion = ReadVersion(connection, final);
        final.Commit();
    }

    private static int ReadVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
