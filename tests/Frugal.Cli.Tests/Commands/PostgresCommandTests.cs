using Frugal.Cli.Commands;
using Frugal.Storage.Postgres;
using Frugal.Users;
using Frugal.Cli.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Frugal.Tests.Commands;

/// <summary>Every test class that needs PostgreSQL shares one throwaway cluster per test run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCommandCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}

/// <summary>
/// <c>--database postgres://…</c> (and <c>FRUGAL_DATABASE</c>) on <c>user …</c>, <c>backup</c>, <c>restore</c> and
/// <c>serve</c>, as the real executable against a throwaway PostgreSQL cluster; the password only from the environment.
/// </summary>
[Collection(PostgresCommandCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresCommandTests(PostgresCluster cluster) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UserAdd_DatabaseUrl_TheUserIsInPostgresAndNotInTheDataDirectory()
    {
        var url = await cluster.CreateDatabaseAsync();
        var data = _temp.File("data");

        var (code, output, error) = Run(["user", "add", "alice", "--data", data, "--database", url]);

        Assert.True(code == 0, error);
        await using var database = PostgresDatabase.Open(cluster.ConnectionString(url));
        var users = new PostgresUserStore(database);
        Assert.Equal("alice", (await users.AuthenticateAsync(LastLine(output), TestContext.Current.CancellationToken))?.Name);
        Assert.False(File.Exists(Path.Combine(data, "frugal.db")));
    }

    [Fact]
    public async Task UserList_FrugalDatabaseVariable_ListsThePostgresUsers()
    {
        var url = await cluster.CreateDatabaseAsync();
        Run(["user", "add", "bob", "--database", url]);

        var (code, output, error) = Run(["user", "list", "--data", _temp.File("other")], new Dictionary<string, string> { ["FRUGAL_DATABASE"] = url });

        Assert.True(code == 0, error);
        Assert.Contains("bob", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_PasswordInTheUrl_RefusedWithoutEchoingIt()
    {
        var url = (await cluster.CreateDatabaseAsync()).Replace("frugal@", "frugal:" + cluster.Password + "@", StringComparison.Ordinal);

        var (code, _, error) = Run(["user", "add", "carol", "--database", url]);

        Assert.Equal(2, code);
        Assert.Contains("FRUGAL_DATABASE_PASSWORD", error, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Password, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_WrongPassword_OneLineNonZero()
    {
        var url = await cluster.CreateDatabaseAsync();

        var (code, _, error) = CliRunner.Process(["user", "add", "dave", "--database", url], new Dictionary<string, string> { [PostgresPassword.Variable] = "wrong" });

        Assert.Equal(2, code);
        Assert.StartsWith("frugal: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("password authentication failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackupThenRestore_Postgres_PutsTheEarlierUsersBackAndKeepsTheReplacedDatabase()
    {
        var url = await cluster.CreateDatabaseAsync();
        var data = _temp.File("data");
        var backup = _temp.File("backups/frugal.dump");
        Run(["user", "add", "alice", "--database", url]);

        var (code, output, error) = Run(["backup", "--database", url, "--data", data, "-o", backup]);
        Assert.True(code == 0, error);
        Assert.Contains("1 users", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup)); // holds key hashes and conversations
        Run(["user", "add", "bob", "--database", url]);

        var (restoreCode, restored, restoreError) = Run(["restore", backup, "--database", url, "--data", data]);

        Assert.True(restoreCode == 0, restoreError);
        var aside = Directory.GetFiles(data, "postgres-before-restore-*.dump");
        Assert.Single(aside);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(aside[0]));
        Assert.Contains(aside[0], restored, StringComparison.Ordinal);
        var (_, listed, _) = Run(["user", "list", "--database", url]);
        Assert.Contains("alice", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_NotADump_RefusedAndTheDatabaseIsUntouched()
    {
        var url = await cluster.CreateDatabaseAsync();
        Run(["user", "add", "alice", "--database", url]);
        var junk = _temp.File("junk.dump");
        await File.WriteAllTextAsync(junk, "not a dump", TestContext.Current.CancellationToken);

        var (code, _, error) = Run(["restore", junk, "--database", url, "--data", _temp.File("data")]);

        Assert.Equal(2, code);
        Assert.Contains("not a backup", error, StringComparison.Ordinal);
        Assert.Contains("alice", Run(["user", "list", "--database", url]).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildServer_DatabaseUrl_ServesThePostgresUsers()
    {
        var url = await cluster.CreateDatabaseAsync();
        Run(["user", "add", "erin", "--database", url]);
        Environment.SetEnvironmentVariable(PostgresPassword.Variable, cluster.Password);
        try
        {
            var settings = ServeConfiguration.Build(new Dictionary<string, string?>
            {
                ["Model:Path"] = "model.gguf",
                ["Storage:Directory"] = _temp.File("data"),
                ["Storage:Database"] = url,
            }, null, []);
            Assert.Empty(settings.Problems);

            await using var app = ServeCommand.BuildServer(settings.Configuration, builder => builder.Logging.ClearProviders());

            var users = app.Services.GetRequiredService<IUserStore>();
            Assert.IsType<PostgresUserStore>(users);
            Assert.Equal(1, await users.CountActiveAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresPassword.Variable, null);
        }
    }

    private (int ExitCode, string Output, string Error) Run(string[] args, Dictionary<string, string>? environment = null)
    {
        var withPassword = new Dictionary<string, string>(environment ?? []) { [PostgresPassword.Variable] = cluster.Password };
        return CliRunner.Process(args, withPassword);
    }

    private static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].Trim();
}
