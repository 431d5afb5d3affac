using Frugal.Storage.Sqlite;

namespace Frugal.Tests.Commands;

/// <summary><c>frugal user rotate</c>, <c>backup</c>, <c>restore</c> and <c>--version</c> as the real executable.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OperationsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UserRotate_RevokedUser_NewKeyWorksOldDoesNot()
    {
        var data = _temp.File("data");
        var (_, added, _) = CliRunner.Process("user", "add", "alice", "--data", data);
        var oldKey = LastLine(added);
        CliRunner.Process("user", "revoke", "alice", "--data", data);

        var (code, output, error) = CliRunner.Process("user", "rotate", "alice", "--data", data);

        Assert.True(code == 0, error);
        var users = new SqliteUserStore(SqliteDatabase.Open(data));
        Assert.Equal("alice", (await users.AuthenticateAsync(LastLine(output), TestContext.Current.CancellationToken))?.Name);
        Assert.Null(await users.AuthenticateAsync(oldKey, TestContext.Current.CancellationToken));
        var (missing, _, missingError) = CliRunner.Process("user", "rotate", "nobody", "--data", data);
        Assert.Equal(2, missing);
        Assert.Contains("no user named 'nobody'", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public void BackupThenRestore_PutsTheEarlierUsersBackAndKeepsTheReplacedDatabase()
    {
        var data = _temp.File("data");
        var backup = _temp.File("backups/one.db");
        CliRunner.Process("user", "add", "alice", "--data", data);

        var (code, output, error) = CliRunner.Process("backup", "--data", data, "-o", backup);
        Assert.True(code == 0, error);
        Assert.Contains("1 users", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup)); // holds key hashes and conversations
        CliRunner.Process("user", "add", "bob", "--data", data);

        var (restoreCode, restored, restoreError) = CliRunner.Process("restore", backup, "--data", data);

        Assert.True(restoreCode == 0, restoreError);
        Assert.Contains("kept as", restored, StringComparison.Ordinal);
        var (_, listed, _) = CliRunner.Process("user", "list", "--data", data);
        Assert.Contains("alice", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", listed, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_NoDatabase_OneLineNonZero()
    {
        var (code, _, error) = CliRunner.Process("backup", "--data", _temp.File("empty"), "-o", _temp.File("b.db"));

        Assert.Equal(2, code);
        Assert.StartsWith("frugal: ", error, StringComparison.Ordinal);
        Assert.Contains("no database to back up", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsFrugalAndTheGgmlBuild()
    {
        var (code, output, _) = CliRunner.Process("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^frugal \d+\.\d+\.\d+", output);
        Assert.Matches(@"ggml \d+\.\d+\.\d+, commit [0-9a-f]+; CPU backend /.+/libggml-cpu\.so", output);
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];
}
