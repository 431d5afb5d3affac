using Frugal.Cli.Commands;
using Frugal.Cli.Monitor;

namespace Frugal.Tests.Monitor;

public sealed class MonitorKeyTests
{
    [Fact]
    public void MonitorCommand_Options_TakeNoKeyOnTheCommandLine()
    {
        // A key given as an argument is in /proc/PID/cmdline, readable by every user of the machine.
        var names = MonitorCommand.Create().Options.Select(o => o.Name).ToList();

        Assert.DoesNotContain("--key", names);
        Assert.Contains("--key-file", names);
    }

    [Fact]
    public void Read_KeyFile_TakesItsFirstLineTrimmed()
    {
        using var directory = new TempDirectory();
        var file = directory.File("key");
        File.WriteAllText(file, "  frg_secret  \nsecond line\n");

        Assert.Equal("frg_secret", MonitorKey.Read(file, environment: "from-env"));
    }

    [Fact]
    public void Read_NoFile_TakesTheEnvironmentVariable()
    {
        Assert.Equal("from-env", MonitorKey.Read(null, " from-env "));
        Assert.Null(MonitorKey.Read(null, null));
        Assert.Null(MonitorKey.Read(null, "  "));
    }

    [Fact]
    public void Read_MissingOrEmptyFile_ThrowsWithTheFileName()
    {
        using var directory = new TempDirectory();
        var empty = directory.File("empty");
        File.WriteAllText(empty, "\n");

        Assert.Contains("missing", Assert.Throws<IOException>(() => MonitorKey.Read(directory.File("missing"), null)).Message, StringComparison.Ordinal);
        Assert.Contains("is empty", Assert.Throws<IOException>(() => MonitorKey.Read(empty, null)).Message, StringComparison.Ordinal);
    }
}
