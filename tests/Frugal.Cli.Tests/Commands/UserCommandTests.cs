using Frugal.Models;

namespace Frugal.Tests.Commands;

/// <summary><c>frugal user …</c> and <c>frugal serve</c>'s refusals, run as the real executable.</summary>
public sealed class UserCommandTests
{
    [Fact]
    public void UserAdd_NewName_PrintsTheKeyAloneOnTheLastLine()
    {
        using var data = new TempDirectory();

        var (code, output, error) = CliRunner.Process("user", "add", "alice", "--data", data.Path);

        Assert.True(code == 0, error);
        var last = output.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches("^frugal_[A-Za-z0-9_-]{43}$", last);
        // The key is shown once: the list never shows it.
        var (listCode, list, _) = CliRunner.Process("user", "list", "--data", data.Path);
        Assert.Equal(0, listCode);
        Assert.Contains("alice", list, StringComparison.Ordinal);
        Assert.DoesNotContain(last, list, StringComparison.Ordinal);
    }

    [Fact]
    public void UserAdd_DuplicateName_FailsWithOneLine()
    {
        using var data = new TempDirectory();
        Assert.Equal(0, CliRunner.Process("user", "add", "alice", "--data", data.Path).ExitCode);

        var (code, output, error) = CliRunner.Process("user", "add", "alice", "--data", data.Path);

        Assert.NotEqual(0, code);
        Assert.DoesNotContain("frugal_", output, StringComparison.Ordinal);
        Assert.Equal("frugal: A user named 'alice' already exists.", error.Trim());
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("semi;colon")]
    public void UserAdd_BadName_FailsWithOneLine(string name)
    {
        using var data = new TempDirectory();
        var (code, _, error) = CliRunner.Process("user", "add", name, "--data", data.Path);
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("frugal: A user name may contain only", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UserRevoke_KnownAndUnknown_SaysWhatHappened()
    {
        using var data = new TempDirectory();
        CliRunner.Process("user", "add", "alice", "--data", data.Path);

        Assert.Equal(0, CliRunner.Process("user", "revoke", "alice", "--data", data.Path).ExitCode);
        var again = CliRunner.Process("user", "revoke", "alice", "--data", data.Path);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("no active user named 'alice'", again.Error, StringComparison.Ordinal);
        Assert.Contains("revoked", CliRunner.Process("user", "list", "--data", data.Path).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_NonLoopbackWithoutUsers_RefusesWithExplanation()
    {
        using var data = new TempDirectory();
        var model = data.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(model);

        var (code, _, error) = CliRunner.Process("serve", "--model", model, "--data", data.File("d"), "--host", "0.0.0.0", "--port", "0");

        Assert.Equal(2, code);
        Assert.Contains("Refusing to listen on 0.0.0.0", error, StringComparison.Ordinal);
        Assert.Contains("frugal user add", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_MissingModel_FailsWithOneLine()
    {
        using var data = new TempDirectory();
        var (code, _, error) = CliRunner.Process("serve", "--model", data.File("none.gguf"), "--data", data.Path);
        Assert.Equal(2, code);
        Assert.Contains("no such model file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_BadMaxBody_FailsWithOneLine()
    {
        using var data = new TempDirectory();
        var (code, _, error) = CliRunner.Process("serve", "--model", data.File("none.gguf"), "--max-body", "lots");
        Assert.Equal(2, code);
        Assert.Contains("--max-body", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("65")]
    public void Serve_ParallelOutOfRange_FailsWithOneLine(string parallel)
    {
        using var data = new TempDirectory();
        var (code, _, error) = CliRunner.Process("serve", "--model", data.File("none.gguf"), "--parallel", parallel);
        Assert.Equal(2, code);
        Assert.Contains("Model:ParallelSequences (--parallel)", error, StringComparison.Ordinal);
        Assert.Contains("must be 1 to 64", error, StringComparison.Ordinal);
    }
}
