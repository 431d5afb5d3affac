using System.Globalization;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// A PostgreSQL database shared by any number of Frugal instances: one pooled
/// <see cref="NpgsqlDataSource"/> sized for a small box, and the schema migrated at open. Several
/// instances starting together apply each migration exactly once: the migration runs in one
/// transaction that first takes a transaction-scoped advisory lock, so the others wait for it and
/// then find the schema current.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// Connections per instance when the URL names none. One core runs one generation at a time and a
    /// request holds a connection only for a statement, so a few cover the queue's bursts; three
    /// instances then stay far below PostgreSQL's default of 100 connections.
    /// </summary>
    public const int DefaultMaxPoolSize = 8;

    // Any fixed 64-bit number; it only has to differ from the session leases' hashed keys.
    private const long MigrationLockKey = 0x4672_7567_616C_0001;

    private PostgresDatabase(NpgsqlDataSource dataSource, string connectionString, string description)
    {
        DataSource = dataSource;
        ConnectionString = connectionString;
        Description = description;
    }

    /// <summary>Where the database is, for messages: <c>postgres://user@host:port/db</c>, never the password.</summary>
    public string Description { get; }

    /// <summary>The schema version after migrations.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>The newest schema version this Frugal knows (what <see cref="SchemaVersion"/> is after a successful open).</summary>
    public static int LatestSchemaVersion => PostgresMigrations.All[^1].Version;

    internal NpgsqlDataSource DataSource { get; }

    internal string ConnectionString { get; }

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (Npgsql's keyword form, see
    /// <see cref="PostgresUrl.ToConnectionString"/>) and migrates the schema. Throws
    /// <see cref="InvalidOperationException"/> with one readable line when the server cannot be reached,
    /// refuses the login, or holds a newer schema.
    /// </summary>
    public static PostgresDatabase Open(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}");
        var database = new PostgresDatabase(NpgsqlDataSource.Create(builder), builder.ConnectionString, description);
        try
        {
            database.Migrate();
            return database;
        }
        catch (NpgsqlException e)
        {
            database.Dispose();
            throw new InvalidOperationException($"{description}: {e.Message}", e);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => DataSource.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    internal ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    private void Migrate()
    {
        using var connection = DataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "SELECT pg_advisory_xact_lock($1);", MigrationLockKey);
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version      INTEGER PRIMARY KEY,
                description  TEXT    NOT NULL,
                applied_at   BIGINT  NOT NULL
            );
            """);
        var current = ReadVersion(connection);
        var known = PostgresMigrations.All[^1].Version;
        if (current > known)
        {
            throw new InvalidOperationException(
                $"{Description}: the database has schema version {current}, newer than this Frugal knows ({known}); use a newer Frugal.");
        }

        foreach (var (version, description, sql) in PostgresMigrations.All.Where(m => m.Version > current))
        {
            Execute(connection, sql);
            Execute(connection, "INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3);",
                version, description, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }

        SchemaVersion = ReadVersion(connection);
        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        command.ExecuteNonQuery();
    }

    private static int ReadVersion(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
