using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// Backups of a PostgreSQL store with PostgreSQL's own tools: <c>pg_dump</c> in its custom format (a consistent
/// snapshot while instances write) and <c>pg_restore</c> in one transaction. The connection reaches the tools through
/// <c>PG*</c> environment variables, so the password never shows in the process list. A restore first dumps the
/// current database into the data directory, so nothing is lost.
/// </summary>
public sealed class PostgresBackup(string connectionString, string dataDirectory) : IDatabaseBackup
{
    /// <summary>Where to find <c>pg_dump</c> and <c>pg_restore</c> when they are not on the PATH.</summary>
    public const string BinariesVariable = "FRUGAL_POSTGRES_BIN";

    private readonly NpgsqlConnectionStringBuilder _connection = new(connectionString);

    /// <inheritdoc />
    public async Task<BackupSummary> BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var target = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        File.Delete(temporary);
        await DumpAsync(temporary, cancellationToken).ConfigureAwait(false);
        var summary = await CountAsync(temporary, cancellationToken).ConfigureAwait(false);
        using (var file = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, target, overwrite: true);
        return summary with { Path = target };
    }

    /// <inheritdoc />
    public async Task<BackupSummary> RestoreAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var backup = Path.GetFullPath(source);
        var version = await CheckAsync(backup, cancellationToken).ConfigureAwait(false);
        var aside = Path.Combine(PrivateData.EnsureDirectory(dataDirectory),
            "postgres-before-restore-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + ".dump");
        await DumpAsync(aside, cancellationToken).ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
        await RunAsync("pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname", _connection.Database!, backup],
            cancellationToken).ConfigureAwait(false);

        // Kept KV states belong to the conversations as they were; after a restore they are stale.
        var states = Path.Combine(Path.GetFullPath(dataDirectory), "kv");
        if (Directory.Exists(states))
        {
            Directory.Delete(states, recursive: true);
        }

        var summary = await CountAsync(backup, cancellationToken).ConfigureAwait(false);
        return summary with { SchemaVersion = version, KeptAside = aside };
    }

    // The file is created owner-only before pg_dump fills it: it holds key hashes and conversations.
    private Task DumpAsync(string file, CancellationToken cancellationToken)
    {
        PrivateData.EnsureFile(file);
        return RunAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", file, _connection.Database!], cancellationToken);
    }

    // A Frugal dump holds the schema_version table; its highest version must be one this Frugal knows.
    private async Task<int> CheckAsync(string backup, CancellationToken cancellationToken)
    {
        if (!File.Exists(backup))
        {
            throw new InvalidOperationException($"{backup}: no such backup file.");
        }

        string versions;
        try
        {
            versions = await RunAsync("pg_restore", ["--data-only", "--table=schema_version", "--file=-", backup], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{backup}: not a backup written by 'frugal backup' from PostgreSQL ({e.Message})", e);
        }

        // The table's COPY block: one "version<TAB>description<TAB>applied_at" line per migration.
        var version = versions.Split('\n')
            .SkipWhile(line => !line.StartsWith("COPY ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(line => line != "\\.")
            .Select(line => int.TryParse(line.Split('\t')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .DefaultIfEmpty(0).Max();
        var known = PostgresMigrations.All[^1].Version;
        return version switch
        {
            0 => throw new InvalidOperationException($"{backup}: holds no Frugal schema (no schema_version rows)."),
            _ when version > known => throw new InvalidOperationException($"{backup}: schema version {version} is newer than this Frugal knows ({known}); use a newer Frugal."),
            _ => version,
        };
    }

    private async Task<BackupSummary> CountAsync(string file, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connection.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(
                "SELECT (SELECT COALESCE(MAX(version), 0) FROM schema_version), (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM messages);",
                connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return new BackupSummary(file, new FileInfo(file).Length, reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                }
            }
        }
    }

    private async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(FindTool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGHOST"] = _connection.Host;
        start.Environment["PGPORT"] = _connection.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = _connection.Username;
        start.Environment["PGAPPNAME"] = "frugal-backup";
        start.Environment["PGCONNECT_TIMEOUT"] = _connection.Timeout.ToString(CultureInfo.InvariantCulture);
        if (_connection.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        if (_connection.SslMode != SslMode.Prefer)
        {
            start.Environment["PGSSLMODE"] = _connection.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            };
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()}");
        }

        return await output.ConfigureAwait(false);
    }

    // FRUGAL_POSTGRES_BIN, then the PATH, then the newest /usr/lib/postgresql/N/bin (Debian's layout).
    private static string FindTool(string tool)
    {
        var directories = new List<string>();
        if (Environment.GetEnvironmentVariable(BinariesVariable) is { Length: > 0 } configured)
        {
            directories.Add(configured);
        }

        directories.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            directories.AddRange(Directory.GetDirectories(debian)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return directories.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{tool} was not found: install PostgreSQL's client tools (Debian: postgresql-client) or set {BinariesVariable}.");
    }
}
