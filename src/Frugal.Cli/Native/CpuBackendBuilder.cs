using System.Diagnostics;
using System.Globalization;

namespace Frugal.Cli.Native;

/// <summary>
/// Compiles Frugal's own llama.cpp CPU backend on this machine and installs it as the build <c>auto</c> loads: runs
/// <c>native/cpu/build.sh</c> (llama.cpp b10361's CPU backend from the npm registry's node-llama-cpp source, with
/// Frugal's matrix-vector products hooked in, compiled for this CPU: the release ships a portable build of the same,
/// <see cref="ShippedCpuBackend"/>) in a work directory under the native directory,
/// puts the result as <c>DIR/frugal/</c> beside copies of LLamaSharp's packaged libraries and records it
/// (<see cref="InstalledCpuBackend"/>) as <c>native pull</c> records a prebuilt one. A failed build leaves nothing
/// behind, and an earlier install (and the record) stays as it was.
/// </summary>
internal sealed class CpuBackendBuilder(string scriptDirectory, string packagedDirectory)
{
    /// <summary>The name the build is installed and recorded under.</summary>
    public const string Variant = "frugal";

    /// <summary>Where the build script and Frugal's C sources sit beside the program.</summary>
    public static string DefaultScriptDirectory => Path.Combine(AppContext.BaseDirectory, "native", "cpu");

    /// <summary>The instruction-set flags Frugal's kernel is written with (AVX2, FMA, F16C) that <paramref name="cpuFlags"/> lacks.</summary>
    public static IReadOnlyList<string> MissingInstructions(IReadOnlySet<string> cpuFlags) =>
        new[] { "avx2", "fma", "f16c" }.Where(f => !cpuFlags.Contains(f)).ToList();

    /// <param name="directory">Where builds are installed (<c>DIR/frugal</c>).</param>
    /// <param name="cpuFlags">This CPU's feature flags (recorded with the build: it is compiled for them).</param>
    /// <param name="registry">Another npm registry for the source (null: npm's own setting).</param>
    /// <param name="output">The script's lines as they come.</param>
    /// <param name="cancellationToken">Stops the build (the compiler processes are killed).</param>
    /// <returns>The installed <c>libllama.so</c>.</returns>
    /// <exception cref="BuildException">Something the build needs is missing, or the build failed.</exception>
    public async Task<string> BuildAsync(string directory, IEnumerable<string> cpuFlags, string? registry, Action<string> output,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var script = Path.Combine(scriptDirectory, "build.sh");
        if (!File.Exists(script))
        {
            throw new BuildException($"{script} is missing: this program was installed without Frugal's CPU backend sources.");
        }

        if (InstalledCpuBackend.MissingPackagedLibrary(packagedDirectory) is { } absent)
        {
            throw new BuildException($"LLamaSharp's packaged {absent} is not in {packagedDirectory}: the CPU backend is built beside it.");
        }

        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var work = Path.Combine(root, $".build-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var staged = Path.Combine(work, "out");
            var exit = await RunAsync(script, staged, Path.Combine(work, "src"), registry, output, cancellationToken).ConfigureAwait(false);
            if (exit != 0 || !File.Exists(Path.Combine(staged, "libggml-cpu.so")))
            {
                throw new BuildException($"building the CPU backend failed (build.sh exit {exit}); the lines above say why. Nothing was installed.");
            }

            await File.WriteAllTextAsync(Path.Combine(staged, "SOURCE"), string.Create(CultureInfo.InvariantCulture,
                $"libggml-cpu.so: llama.cpp {CpuBackendRelease.LlamaCppRelease} (node-llama-cpp {CpuBackendRelease.Version}'s source) with Frugal's Q8_0, Q4_K, Q5_K and Q6_K matrix-vector products, built here by 'frugal native build' for this CPU on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\nlibllama.so, libggml.so, libggml-base.so: LLamaSharp 0.30.0's packaged avx2 build\n"),
                cancellationToken).ConfigureAwait(false);
            return InstalledCpuBackend.Install(root, Variant, staged, cpuFlags);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A compiler killed on cancel may still hold a file for a moment; the directory is hidden and named as a build's.
            }
        }
    }

    private async Task<int> RunAsync(string script, string output, string source, string? registry, Action<string> lines, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(output);
        start.ArgumentList.Add(source);
        start.Environment["FRUGAL_PACKAGED_NATIVE"] = packagedDirectory;
        if (!string.IsNullOrWhiteSpace(registry))
        {
            start.Environment["FRUGAL_NPM_REGISTRY"] = registry;
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BuildException($"cannot run bash: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;

        void Forward(string? line)
        {
            // The script's last line is the staged library's path, which the caller replaces with the installed one.
            if (line is not null && line != Path.Combine(output, "libllama.so"))
            {
                lines(line);
            }
        }
    }
}
