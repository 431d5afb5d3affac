using System.CommandLine;
using Frugal.Cli.Models;
using Frugal.Cli.Native;
using Frugal.Memory;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal native pull [--variant NAME] [--dir DIR]</c>: installs the llama.cpp CPU backend built for this CPU's
/// instructions (<see cref="CpuBackendInstaller"/>); <c>frugal native build [--dir DIR]</c> compiles Frugal's own one
/// here (<see cref="CpuBackendBuilder"/>). Either becomes what <c>Model:NativeLibrary</c> = auto loads.
/// </summary>
internal static class NativeCommand
{
    // What follows an install, by pull or by build.
    private const string LoadedFromNowOn =
        "frugal serve, generate, chat and bench load it from now on (Model:NativeLibrary auto, with this data directory); Model:NativeLibrary=packaged or --native-library packaged for LLamaSharp's own build";

    public static Command Create()
    {
        var command = new Command("native", "Faster llama.cpp CPU code for this machine's CPU.");
        command.Subcommands.Add(Pull());
        command.Subcommands.Add(Build());
        return command;
    }

    private static Command Build()
    {
        var directory = new Option<string?>("--dir") { Description = "Where builds are installed (default: DATA/native).", HelpName = "DIR" };
        var data = UserCommand.DataOption();
        var command = new Command("build",
            $"Compile Frugal's llama.cpp CPU backend for this very CPU (llama.cpp {CpuBackendRelease.LlamaCppRelease}'s, with Frugal's faster Q8_0 and K-quant decoding; "
            + "releases ship a portable AVX2 build of it, which auto loads where nothing is installed) and install it "
            + $"beside LLamaSharp's packaged libllama.so; needs npm, git, cmake, g++ and python3, and a minute or two (registry: {CpuBackendRelease.RegistryVariable}=BASE_URL).")
        {
            directory, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var flags = new CpuProbe().Read().Flags;
            if (CpuBackendBuilder.MissingInstructions(flags) is { Count: > 0 } missing)
            {
                await error.WriteLineAsync($"frugal: Frugal's CPU backend needs {string.Join(", ", missing)}, which this CPU lacks; 'frugal native pull' installs the best prebuilt one for it.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var root = parse.GetValue(directory) ?? Path.Combine(parse.GetValue(data)!, "native");
                await console.WriteLineAsync($"building Frugal's CPU backend for this CPU in {Path.GetFullPath(root)} (a minute or two)").ConfigureAwait(false);
                var library = await new CpuBackendBuilder(CpuBackendBuilder.DefaultScriptDirectory, CpuBackendInstaller.DefaultPackagedDirectory)
                    .BuildAsync(root, flags, Environment.GetEnvironmentVariable(CpuBackendRelease.RegistryVariable), console.WriteLine, cancellationToken).ConfigureAwait(false);
                await console.WriteLineAsync($"installed the '{CpuBackendBuilder.Variant}' CPU backend: {library}").ConfigureAwait(false);
                await console.WriteLineAsync(LoadedFromNowOn).ConfigureAwait(false);
                return 0;
            }
            catch (BuildException e)
            {
                await error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"frugal: cannot install the CPU backend: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static Command Pull()
    {
        var variant = new Option<string?>("--variant")
        {
            Description = "The build to install (default: the best that runs on this CPU; sapphirerapids, the AMX build, only when named).",
            HelpName = "NAME",
        };
        var directory = new Option<string?>("--dir") { Description = "Where builds are installed (default: DATA/native).", HelpName = "DIR" };
        var data = UserCommand.DataOption();
        var command = new Command("pull",
            $"Download {CpuBackendRelease.Package} {CpuBackendRelease.Version} (llama.cpp {CpuBackendRelease.LlamaCppRelease}'s CPU backends, one per x86-64 generation) "
            + $"and install the one for this CPU beside LLamaSharp's packaged libllama.so (registry: {CpuBackendRelease.RegistryVariable}=BASE_URL).")
        {
            variant, directory, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var source = CpuBackendRelease.Tarball(Environment.GetEnvironmentVariable(CpuBackendRelease.RegistryVariable));
                var root = parse.GetValue(directory) ?? Path.Combine(parse.GetValue(data)!, "native");
                using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromMinutes(10) };
                var progress = new Progress<string>(line => console.WriteLine(line));
                var install = await new CpuBackendInstaller(http, CpuBackendInstaller.DefaultPackagedDirectory)
                    .PullAsync(root, parse.GetValue(variant), source, new CpuProbe().Read().Flags, progress, cancellationToken).ConfigureAwait(false);
                await console.WriteLineAsync($"scores on this CPU (0: cannot run here): {string.Join(", ", install.Scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}").ConfigureAwait(false);
                await console.WriteLineAsync($"installed the '{install.Variant}' CPU backend: {install.Library}").ConfigureAwait(false);
                await console.WriteLineAsync(LoadedFromNowOn).ConfigureAwait(false);
                await console.WriteLineAsync("compare the two: frugal bench --model FILE --profile quick, then again with --native-library packaged").ConfigureAwait(false);
                return 0;
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (PullException e)
            {
                await error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
            {
                await error.WriteLineAsync($"frugal: cannot install the CPU backend: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
