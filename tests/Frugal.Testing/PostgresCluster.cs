using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Frugal.Storage.Postgres;
using Npgsql;

namespace Frugal.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run: <c>initdb</c> into a temporary directory (as the
/// <c>postgres</c> user when the tests run as root, which PostgreSQL refuses to be), password
/// authentication with a random password, listening on 127.0.0.1 on a free port; stopped and deleted
/// on dispose. Never a server that happens to be running. Each test asks for its own database.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public const string User = "frugal";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "frugal-pg-" + Guid.NewGuid().ToString("N"));
    private int _databases;

    public int Port { get; private set; }

    /// <summary>The superuser's password (tests pass it the ways an operator would: file, environment, URL).</summary>
    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    private string DataDirectory => Path.Combine(_directory, "data");

    private static bool IsRoot => Environment.UserName == "root";

    public async ValueTask InitializeAsync()
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(_directory);
        var passwordFile = Path.Combine(_directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _directory]);
        }

        Port = FreePort();
        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", DataDirectory, "-U", User, "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--no-sync", "--locale=C"], asPostgres: true);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o",
            string.Create(CultureInfo.InvariantCulture,
                $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_directory} -c fsync=off -c shared_buffers=16MB"),
            "start",
        ], asPostgres: true);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            try
            {
                await RunAsync(Path.Combine(FindBinaries(), "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], asPostgres: true);
            }
            catch (InvalidOperationException)
            {
                // Not running (it failed to start): only the directory is left to remove.
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A new empty database; returns its URL without the password.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Password = Password,
            Database = "postgres",
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync();
        return Url(name);
    }

    /// <summary><c>postgres://frugal@127.0.0.1:PORT/DB</c>, without the password.</summary>
    public string Url(string database) => string.Create(CultureInfo.InvariantCulture, $"postgres://{User}@127.0.0.1:{Port}/{database}");

    /// <summary>A new database, opened and migrated.</summary>
    public async Task<PostgresDatabase> OpenNewDatabaseAsync() => PostgresDatabase.Open(ConnectionString(await CreateDatabaseAsync()));

    /// <summary>The connection string for a URL of this cluster, with the password.</summary>
    public string ConnectionString(string url) => PostgresUrl.ToConnectionString(url, Password);

    /// <summary>Runs one SQL statement on the database of <paramref name="url"/> and returns its first value.</summary>
    public async Task<object?> ScalarAsync(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(url)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    // FRUGAL_POSTGRES_BIN, else the newest /usr/lib/postgresql/N/bin (Debian's layout).
    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("FRUGAL_POSTGRES_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql: install the 'postgresql' package (./test does) or set FRUGAL_POSTGRES_BIN.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres = false)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && IsRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        // With -l, pg_ctl hands the server its log file, not these pipes: both end when pg_ctl does.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
