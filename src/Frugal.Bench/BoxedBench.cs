using System.Diagnostics;

namespace Frugal.Bench;

/// <summary>
/// <c>frugal bench --box CPUS,MEMORY</c>: makes the cgroup, runs the measured part again as a child
/// process that joins the cgroup before it starts (pinned to one core when taskset is there, as
/// <c>in-box</c> does), and reports the box's own peak and OOM kills afterwards.
/// </summary>
internal static class BoxedBench
{
    public static async Task<int> RunAsync(BenchSettings settings, int cpus, ByteSize memory, CancellationToken cancellationToken)
    {
        CgroupBox box;
        try
        {
            box = CgroupBox.Create(cpus, memory.Bytes);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using (box)
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            var pin = File.Exists("/usr/bin/taskset") && cpus < Environment.ProcessorCount
                ? $"taskset -c {Environment.ProcessorCount - cpus}-{Environment.ProcessorCount - 1} "
                : "";
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{box.JoinCommand} && exec {pin}\"$@\"");
            start.ArgumentList.Add("frugal-bench");
            foreach (var argument in SelfCommand().Concat(settings.Arguments()).Concat(["--boxed", box.Box.ToString(), "--boxed-cgroup", box.MemoryDirectory]))
            {
                start.ArgumentList.Add(argument);
            }

            Console.WriteLine($"bench: measuring inside a new cgroup ({box.Box.CgroupVersion}) of {cpus} CPU and {memory}, no swap{(pin.Length > 0 ? ", pinned with taskset" : "")}");
            using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the boxed bench");
            try
            {
                await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            Console.WriteLine($"bench: box peak {box.Peak() / 1048576.0:F0} MiB of {memory}, OOM kills {box.OomKills()}, exit code {child.ExitCode}");
            return child.ExitCode;
        }
    }

    /// <summary>How to start this same program again: the apphost itself, or <c>dotnet frugal.dll</c>.</summary>
    private static IEnumerable<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell how this program was started");
        yield return process;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            yield return Path.Combine(AppContext.BaseDirectory, "frugal.dll");
        }
    }
}
