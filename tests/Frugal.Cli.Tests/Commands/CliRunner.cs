using System.CommandLine;
using System.Diagnostics;
using Frugal.Cli.Commands;

namespace Frugal.Tests.Commands;

/// <summary>Runs the <c>model</c> command tree in-process, or the built <c>frugal</c> executable as a process.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) InProcess(params string[] args)
    {
        var root = new RootCommand { ModelCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>How to start the built <c>frugal</c> executable with <paramref name="args"/>, output redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "frugal.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    public static (int ExitCode, string Output, string Error) Process(params string[] args) => Process(args, new Dictionary<string, string>());

    /// <summary>Runs the executable with extra environment variables.</summary>
    public static (int ExitCode, string Output, string Error) Process(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Run(start);
    }

    /// <summary>Runs any program with <paramref name="args"/> (a compiler, a script) and captures what it printed.</summary>
    public static (int ExitCode, string Output, string Error) Program(string file, params string[] args) =>
        Program([file, .. args], new Dictionary<string, string>());

    /// <summary>Runs a program (its path and arguments in <paramref name="command"/>) with extra environment variables.</summary>
    public static (int ExitCode, string Output, string Error) Program(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Run(start);
    }

    private static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start)
    {
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
