using System.Diagnostics;
using Frugal.Models;
using Frugal.Testing.Fuzzing;

namespace Frugal.Tests.Hostile;

/// <summary>
/// The coverage-guided harness (<c>tests/Frugal.Fuzz</c>, driven by afl-fuzz in <c>bench/fuzz-afl</c>) run as afl-fuzz
/// starts it, without afl-fuzz: one input from stdin per target. Its seeds are accepted, and an escaping exception is
/// reported as a crash (the process aborts), which is what afl-fuzz counts.
/// </summary>
public sealed class FuzzHarnessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Targets => ["gguf", "chat", "completions", "ollama-chat", "ollama-generate", "anthropic-messages"];

    [Fact]
    public void List_NamesTheModelFileTheReaderOfEveryDialectAndThePlantedBug()
    {
        var dialects = RequestFuzzTargets.All(ModelInfoReader.Read(TestModels.Tiny)).Select(t => t.Name);

        var (code, output, _) = Harness(null, "list");

        Assert.Equal(0, code);
        Assert.Equal(["gguf", .. dialects, "planted"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Targets.Select(row => row.Data), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipLast(1));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Run_FirstSeed_ExitsCleanly(string target)
    {
        var seeds = Path.Combine(_temp.Path, "seeds");
        Assert.Equal(0, Harness(null, "seeds", target, seeds).ExitCode);

        var (code, _, error) = Harness(File.ReadAllBytes(Path.Combine(seeds, "seed-0")), "run", target);

        Assert.True(code == 0, error);
    }

    [Fact]
    public void Run_PlantedBug_AbortsWithTheException()
    {
        Assert.Equal(0, Harness("FUZZ?"u8.ToArray(), "run", "planted").ExitCode);

        var (code, _, error) = Harness("FUZZ!"u8.ToArray(), "run", "planted");

        Assert.NotEqual(0, code);
        Assert.Contains("The planted bug was found.", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) Harness(byte[]? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Frugal.Fuzz.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input ?? []);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
