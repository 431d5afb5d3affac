using Frugal.Storage.Postgres;
using Frugal.Storage.Sqlite;

namespace Frugal.Cli.Configuration;

/// <summary>
/// Where the store is, read from <c>--database</c> / <c>FRUGAL_DATABASE</c> / <c>Storage:Database</c>: empty means the
/// SQLite file <c>{data}/frugal.db</c>; a path or <c>sqlite:PATH</c> another SQLite file; <c>postgres://USER@HOST:PORT/DB</c>
/// a PostgreSQL database shared by any number of instances (its password from <see cref="PostgresPassword"/>).
/// </summary>
internal sealed record DatabaseLocation
{
    /// <summary>The short environment variable naming the database (as <c>--database</c>).</summary>
    public const string Variable = "FRUGAL_DATABASE";

    private const string SqliteScheme = "sqlite:";

    private DatabaseLocation(string? sqliteFile, string? postgresUrl)
    {
        SqliteFile = sqliteFile;
        PostgresUrl = postgresUrl;
    }

    /// <summary>The SQLite file, or null for PostgreSQL.</summary>
    public string? SqliteFile { get; }

    /// <summary>The PostgreSQL URL (without a password), or null for SQLite.</summary>
    public string? PostgresUrl { get; }

    /// <summary>Reads <paramref name="database"/>; <paramref name="problem"/> says why it names nothing this build can open.</summary>
    public static bool TryParse(string? database, string dataDirectory, out DatabaseLocation location, out string problem)
    {
        database = database?.Trim();
        problem = "";
        location = new DatabaseLocation(Path.Combine(dataDirectory, SqliteDatabase.FileName), null);
        if (string.IsNullOrEmpty(database))
        {
            return true;
        }

        if (Frugal.Storage.Postgres.PostgresUrl.IsPostgresUrl(database))
        {
            try
            {
                _ = Frugal.Storage.Postgres.PostgresUrl.ToConnectionString(database);
            }
            catch (ArgumentException e)
            {
                problem = $"Storage:Database: {e.Message}";
                return false;
            }

            if (Frugal.Storage.Postgres.PostgresUrl.HasPassword(database))
            {
                problem = $"Storage:Database '{Frugal.Storage.Postgres.PostgresUrl.Redact(database)}' carries a password, which would show in the process "
                    + $"list and in logs: leave it out and set {PostgresPassword.FileVariable} (a file) or {PostgresPassword.Variable} instead.";
                return false;
            }

            location = new DatabaseLocation(null, database);
            return true;
        }

        var file = database.StartsWith(SqliteScheme, StringComparison.OrdinalIgnoreCase) ? database[SqliteScheme.Length..] : database;
        if (file.Length == 0 || HasOtherScheme(file))
        {
            problem = $"Storage:Database '{database}' is not a SQLite file path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE.";
            return false;
        }

        location = new DatabaseLocation(file, null);
        return true;
    }

    /// <summary>Npgsql's connection string, with the password from the environment. Throws <see cref="InvalidOperationException"/>.</summary>
    public string PostgresConnectionString() =>
        Frugal.Storage.Postgres.PostgresUrl.ToConnectionString(
            PostgresUrl ?? throw new InvalidOperationException("not a PostgreSQL database"), PostgresPassword.FromEnvironment());

    /// <summary>For messages: the file or the URL.</summary>
    public override string ToString() => SqliteFile ?? PostgresUrl!;

    // "mysql:..." names a store this build does not have; "C:\..." and "./a:b" are paths.
    private static bool HasOtherScheme(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && value[..colon].All(char.IsAsciiLetterOrDigit);
    }
}
