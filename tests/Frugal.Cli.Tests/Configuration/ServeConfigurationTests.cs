using Frugal.Cli.Configuration;
using Frugal.Server.Hosting;

namespace Frugal.Tests.Configuration;

/// <summary><c>frugal serve</c>'s settings from a JSON file and <c>--set</c>, bound and checked in-process.</summary>
public sealed class ServeConfigurationTests
{
    [Fact]
    public void Apply_ConfigFile_SetsMemoryOptionsAndBudgets()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, """
            {
              "Memory": { "MediumThreshold": 0.6, "HighThreshold": 0.8, "CriticalThreshold": 0.9, "Hysteresis": 0.02,
                          "ReplyTokenCap": 64, "HistoryExchanges": 1, "EmergencyRunningAction": "Cancel", "RefreshInterval": "00:00:02" },
              "SessionState": { "MemoryBudget": "32m", "DiskBudget": "2g" },
              "ResponseCache": { "MaxBytes": "0" }
            }
            """);
        var options = new FrugalServerOptions();

        var problems = ServeConfiguration.Apply(options, file, [], out var sources);

        Assert.Empty(problems);
        Assert.Contains(file, sources);
        Assert.Equal(0.8, options.Memory.HighThreshold);
        Assert.Equal(64, options.Memory.ReplyTokenCap);
        Assert.Equal(Frugal.Memory.EmergencyRunningAction.Cancel, options.Memory.EmergencyRunningAction);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Memory.RefreshInterval);
        Assert.Equal(ByteSize.FromMebibytes(32), options.SessionStateMemoryBudget);
        Assert.Equal(ByteSize.FromGibibytes(2), options.SessionStateDiskBudget);
        Assert.Equal(ByteSize.Zero, options.ResponseCacheSize);
    }

    [Fact]
    public void Apply_SetFlag_WinsOverTheFile()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, """{ "Memory": { "HighThreshold": 0.8 } }""");
        var options = new FrugalServerOptions();

        var problems = ServeConfiguration.Apply(options, file, ["Memory:HighThreshold=0.85", "sessionstate:memorybudget=16m"], out _);

        Assert.Empty(problems);
        Assert.Equal(0.85, options.Memory.HighThreshold);
        Assert.Equal(ByteSize.FromMebibytes(16), options.SessionStateMemoryBudget);
    }

    [Fact]
    public void Apply_NothingGiven_KeepsDefaults()
    {
        var options = new FrugalServerOptions();

        var problems = ServeConfiguration.Apply(options, null, [], out _);

        Assert.Empty(problems);
        Assert.Equal(Frugal.Memory.MemoryGovernorOptions.DefaultHighThreshold, options.Memory.HighThreshold);
        Assert.Equal(Frugal.Caching.ResponseCacheOptions.DefaultMaxBytes, options.ResponseCacheSize);
    }

    [Theory]
    [InlineData("""{ "Memory": { "HighThreshold": "lots" } }""", "Memory:HighThreshold")]
    [InlineData("""{ "Memory": { "HighThresold": 0.8 } }""", "HighThresold")]
    [InlineData("""{ "Memory": { "HighThreshold": 0.7 } }""", "must rise")]
    [InlineData("""{ "Memory": { "ReplyTokenCap": 0 } }""", "ReplyTokenCap")]
    [InlineData("""{ "Memory": { "EmergencyRunningAction": "Explode" } }""", "EmergencyRunningAction")]
    [InlineData("""{ "SessionState": { "MemoryBudget": "12q" } }""", "SessionState:MemoryBudget")]
    [InlineData("""{ "Memory": { "HighThreshold": 0.8 """, "appsettings-test.json")]
    public void Apply_BadFile_OneProblemNamingTheSetting(string json, string expected)
    {
        using var dir = new TempDirectory();
        var file = Write(dir, json);

        var problems = ServeConfiguration.Apply(new FrugalServerOptions(), file, [], out _);

        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_MissingConfigFile_Problem()
    {
        var problems = ServeConfiguration.Apply(new FrugalServerOptions(), "/nonexistent/frugal.json", [], out _);

        Assert.Equal("--config /nonexistent/frugal.json: no such file.", Assert.Single(problems));
    }

    [Fact]
    public void Apply_MalformedSet_Problem()
    {
        var problems = ServeConfiguration.Apply(new FrugalServerOptions(), null, ["HighThreshold"], out _);

        Assert.StartsWith("--set 'HighThreshold' is not Section:Key=value", Assert.Single(problems), StringComparison.Ordinal);
    }

    private static string Write(TempDirectory dir, string json)
    {
        var file = dir.File("appsettings-test.json");
        File.WriteAllText(file, json);
        return file;
    }
}
