using System.CommandLine;
using Frugal.Cli.Configuration;
using Frugal.Storage;
using Frugal.Storage.Postgres;
using Frugal.Storage.Sqlite;
using Frugal.Users;

namespace Frugal.Cli.Commands;

/// <summary>
/// The store the maintenance commands (<c>user …</c>, <c>backup</c>, <c>restore</c>) work on: the same
/// <c>--data</c> and <c>--database</c> (env <c>FRUGAL_DATA</c>, <c>FRUGAL_DATABASE</c>) as <c>serve</c>.
/// </summary>
internal static class CommandStore
{
    /// <summary>The <c>--database</c> option shared with <c>serve</c>.</summary>
    public static Option<string?> DatabaseOption() => new("--database")
    {
        Description = $"The database: a SQLite file, sqlite:PATH or postgres://USER@HOST:PORT/DB (default: ${DatabaseLocation.Variable}, else DATA/frugal.db).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DatabaseLocation.Variable) is { Length: > 0 } database ? database : null,
    };

    /// <summary>Where <paramref name="database"/> points; throws <see cref="InvalidOperationException"/> with the problem.</summary>
    public static DatabaseLocation Locate(string? database, string dataDirectory) =>
        DatabaseLocation.TryParse(database, dataDirectory, out var location, out var problem)
            ? location
            : throw new InvalidOperationException(problem);

    /// <summary>Opens the user store of <paramref name="location"/>, runs <paramref name="work"/> on it, and closes it.</summary>
    public static async Task<int> WithUsersAsync(DatabaseLocation location, Func<IUserStore, Task<int>> work)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(work);
        if (location.SqliteFile is { } file)
        {
            return await work(new SqliteUserStore(SqliteDatabase.OpenFile(file))).ConfigureAwait(false);
        }

        var database = PostgresDatabase.Open(location.PostgresConnectionString());
        await using (database.ConfigureAwait(false))
        {
            return await work(new PostgresUserStore(database)).ConfigureAwait(false);
        }
    }

    /// <summary>The backup of the store at <paramref name="location"/> (KV states live under <paramref name="dataDirectory"/>).</summary>
    public static IDatabaseBackup Backup(DatabaseLocation location, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.SqliteFile is { } file
            ? new SqliteBackup(dataDirectory, file)
            : new PostgresBackup(location.PostgresConnectionString(), dataDirectory);
    }
}
