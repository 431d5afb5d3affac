using System.CommandLine;
using Frugal.Cli.Commands;
using Frugal.Cli.Configuration;
using Frugal.DependencyInjection;
using Frugal.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.Tests.Configuration;

/// <summary><c>frugal serve</c>'s one settings tree from a JSON file, flags and <c>--set</c>, bound and checked in-process.</summary>
public sealed class ServeConfigurationTests
{
    [Fact]
    public void Build_ConfigFile_SetsMemoryOptionsAndBudgets()
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

        var (problems, options, _, sources) = Apply(file);

        Assert.Empty(problems);
        Assert.Contains(file, sources);
        Assert.Equal(0.8, options!.Memory.HighThreshold);
        Assert.Equal(64, options.Memory.ReplyTokenCap);
        Assert.Equal(Frugal.Memory.EmergencyRunningAction.Cancel, options.Memory.EmergencyRunningAction);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Memory.RefreshInterval);
        Assert.Equal(ByteSize.FromMebibytes(32), options.SessionState.MemoryBudget);
        Assert.Equal(ByteSize.FromGibibytes(2), options.SessionState.DiskBudget);
        Assert.Equal(ByteSize.Zero, options.ResponseCache.MaxBytes);
    }

    [Fact]
    public void Build_SetFlag_WinsOverTheFile()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, """{ "Memory": { "HighThreshold": 0.8 } }""");

        var (problems, options, _, _) = Apply(file, "--set", "Memory:HighThreshold=0.85", "--set", "sessionstate:memorybudget=16m");

        Assert.Empty(problems);
        Assert.Equal(0.85, options!.Memory.HighThreshold);
        Assert.Equal(ByteSize.FromMebibytes(16), options.SessionState.MemoryBudget);
    }

    [Fact]
    public void Build_ServeSettingsInTheFile_FlagsWinKeyByKey()
    {
        using var dir = new TempDirectory();
        var file = Write(dir, """
            {
              "Model": { "Path": "from-file.gguf", "ContextSize": 1024, "Threads": 2, "ChatTemplate": "chatml" },
              "Scheduler": { "MaxQueueDepth": 4, "MaxGenerationTime": "00:02:00" },
              "Server": { "Host": "localhost", "Port": 9000, "MaxRequestBodySize": "64k", "AllowedHosts": [ "frugal.lan" ] }
            }
            """);
        var data = dir.File("data");

        var (problems, options, server, _) = Apply(file, "--ctx", "512", "--data", data, "--timeout", "30");

        Assert.Empty(problems);
        Assert.Equal("from-file.gguf", options!.Model.Path);
        Assert.Equal(512, options.Model.ContextSize); // the flag
        Assert.Equal(2, options.Model.Threads); // the file
        Assert.Equal(Frugal.Models.ChatTemplateFamily.ChatML, options.Model.ChatTemplate);
        Assert.True(options.Model.FitToBox); // serve's default
        Assert.Equal(4, options.Scheduler.MaxQueueDepth);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Scheduler.MaxGenerationTime);
        Assert.Equal(data, options.SessionState.Directory); // kept states follow the data directory
        Assert.Equal("localhost", server!.Host);
        Assert.Equal(9000, server.Port);
        Assert.Equal(ByteSize.FromKibibytes(64), server.MaxRequestBodySize);
        Assert.Equal(["frugal.lan"], server.AllowedHosts);
    }

    [Fact]
    public void Build_NothingGiven_KeepsTheDocumentedDefaults()
    {
        var (problems, options, server, _) = Apply(null);

        // The values the README documents, written out: a changed default must change the documentation too.
        Assert.Empty(problems);
        Assert.Equal(0.90, options!.Memory.HighThreshold);
        Assert.Equal(ByteSize.FromMebibytes(8), options.ResponseCache.MaxBytes);
        Assert.Equal(16, options.Scheduler.MaxQueueDepth);
        Assert.Equal("127.0.0.1", server!.Host);
        Assert.Equal(8080, server.Port);
        Assert.Equal("./data", options.SessionState.Directory);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("on", true)]
    [InlineData("off", false)]
    public void Build_ContextShiftFlag_SetsTheEngineSwitch(string? flag, bool expected)
    {
        string[] args = flag is null ? [] : ["--context-shift", flag];
        var (problems, options, _, _) = Apply(null, args);

        Assert.Empty(problems);
        Assert.Equal(expected, options!.Model.ContextShift);
        Assert.Equal(expected, new EnginePlanner(Options.Create(options), new Frugal.Memory.MemoryProbe()).Plan.Engine.ContextShift);
    }

    [Fact]
    public void Parse_ContextShiftFlagNeitherOnNorOff_IsACommandLineError()
    {
        var flags = new ServeFlags();
        var command = new Command("serve");
        flags.AddTo(command);

        var parse = command.Parse(["--model", "model.gguf", "--context-shift", "maybe"]);

        Assert.Equal("--context-shift must be on or off, not 'maybe'.", Assert.Single(parse.Errors).Message);
    }

    [Theory]
    [InlineData("""{ "Memory": { "HighThreshold": "lots" } }""", "Memory:HighThreshold")]
    [InlineData("""{ "Model": { "ContextShift": "maybe" } }""", "Model:ContextShift (--context-shift)")]
    [InlineData("""{ "Memory": { "HighThresold": 0.8 } }""", "HighThresold")]
    [InlineData("""{ "Memroy": { "HighThreshold": 0.8 } }""", "Unknown settings section 'Memroy'")]
    [InlineData("""{ "Memory": { "HighThreshold": 0.7 } }""", "must rise")]
    [InlineData("""{ "Memory": { "ReplyTokenCap": 0 } }""", "Memory:ReplyTokenCap")]
    [InlineData("""{ "Memory": { "EmergencyRunningAction": "Explode" } }""", "EmergencyRunningAction")]
    [InlineData("""{ "SessionState": { "MemoryBudget": "12q" } }""", "SessionState:MemoryBudget")]
    [InlineData("""{ "Model": { "ContextSize": 8 } }""", "Model:ContextSize (--ctx) 8 must be at least 16")]
    [InlineData("""{ "Model": { "NativeLibrary": "avx1024" } }""", "Model:NativeLibrary 'avx1024' is none of auto, packaged, frugal, avx512")]
    [InlineData("""{ "Model": { "NativeLibrary": "/nonexistent/libllama.so" } }""", "Model:NativeLibrary /nonexistent/libllama.so: no such file")]
    [InlineData("""{ "Server": { "MaxRequestBodySize": "100" } }""", "Server:MaxRequestBodySize (--max-body)")]
    [InlineData("""{ "Storage": { "Database": "mysql://db" } }""", "Storage:Database (--database)")]
    [InlineData("""{ "Memory": { "HighThreshold": 0.8 """, "appsettings-test.json")]
    public void Build_BadFile_OneProblemNamingTheSetting(string json, string expected)
    {
        using var dir = new TempDirectory();
        var file = Write(dir, json);

        var (problems, _, _, _) = Apply(file);

        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--parallel", "65", "Model:ParallelSequences (--parallel) 65 must be 1 to 64")]
    [InlineData("--port", "70000", "Server:Port (--port) must be between 0 and 65535")]
    [InlineData("--max-body", "a lot", "Server:MaxRequestBodySize (--max-body) 'a lot' is not valid: 'a lot' is not a size")]
    public void Build_BadFlag_OneProblemNamingKeyAndFlag(string flag, string value, string expected)
    {
        var (problems, _, _, _) = Apply(null, flag, value);

        Assert.Contains(expected, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MissingConfigFile_Problem()
    {
        var (problems, _, _, _) = Apply("/nonexistent/frugal.json", "--model", "model.gguf");

        Assert.Equal("--config /nonexistent/frugal.json: no such file.", Assert.Single(problems));
    }

    [Fact]
    public void Build_MalformedSet_Problem()
    {
        var (problems, _, _, _) = Apply(null, "--set", "HighThreshold");

        Assert.StartsWith("--set 'HighThreshold' is not Section:Key=value", Assert.Single(problems), StringComparison.Ordinal);
    }

    // serve's own path: flags parsed by its command, the tree built, the server built (which validates every option), nothing started.
    private static (IReadOnlyList<string> Problems, FrugalOptions? Options, FrugalServerOptions? Server, IReadOnlyList<string> Sources) Apply(
        string? configFile, params string[] args)
    {
        var flags = new ServeFlags();
        var command = new Command("serve");
        flags.AddTo(command);
        string[] model = args.Contains("--model") || configFile is not null && File.Exists(configFile) && File.ReadAllText(configFile).Contains("\"Path\"",
            StringComparison.Ordinal) ? [] : ["--model", "model.gguf"];
        var parse = command.Parse([.. model, .. configFile is null ? [] : new[] { "--config", configFile }, .. args]);
        Assert.Empty(parse.Errors);
        var settings = ServeConfiguration.Build(flags.Keys(parse), parse.GetValue(flags.Config), parse.GetValue(flags.Set) ?? []);
        if (settings.Problems.Count > 0)
        {
            return (settings.Problems, null, null, settings.Sources);
        }

        try
        {
            using var app = ServeCommand.BuildServer(settings.Configuration, builder => builder.Logging.ClearProviders());
            return ([], app.Services.GetRequiredService<IOptions<FrugalOptions>>().Value, app.Services.GetRequiredService<FrugalServerOptions>(), settings.Sources);
        }
        catch (ServerStartException e)
        {
            return (e.Message.Split(Environment.NewLine), null, null, settings.Sources);
        }
    }

    private static string Write(TempDirectory dir, string json)
    {
        var file = dir.File("appsettings-test.json");
        File.WriteAllText(file, json);
        return file;
    }
}
