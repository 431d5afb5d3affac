using System.Globalization;
using System.Runtime.InteropServices;

namespace Frugal.Bench;

/// <summary>One line about the machine a bench ran on: CPU model, logical CPUs, RAM, kernel, runtime.</summary>
public static class MachineDescription
{
    /// <summary>Reads the description from <c>/proc</c> (parts that cannot be read are left out).</summary>
    public static string Read(string procRoot = "/proc")
    {
        var parts = new List<string>();
        var cpuinfo = TryRead(Path.Combine(procRoot, "cpuinfo"));
        if (cpuinfo is not null)
        {
            var lines = cpuinfo.Split('\n');
            var model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var count = lines.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
            parts.Add($"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {count} logical CPUs");
            var flags = lines.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (flags is not null)
            {
                var simd = new[] { "avx2", "avx512f", "fma", "f16c" }.Where(f => flags.Contains(' ' + f + ' ', StringComparison.Ordinal) || flags.EndsWith(' ' + f, StringComparison.Ordinal));
                parts.Add(string.Join('+', simd));
            }
        }

        var memTotal = TryRead(Path.Combine(procRoot, "meminfo"))?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        if (memTotal is not null && long.TryParse(memTotal.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{kib / 1024.0 / 1024.0:F1} GiB RAM"));
        }

        var kernel = TryRead(Path.Combine(procRoot, "sys", "kernel", "osrelease"))?.Trim();
        parts.Add($"Linux {kernel ?? Environment.OSVersion.VersionString}");
        parts.Add(RuntimeInformation.FrameworkDescription);
        // Other work on a shared machine slows everything; the load says how busy it was.
        if (TryRead(Path.Combine(procRoot, "loadavg"))?.Split(' ') is [var one, var five, ..])
        {
            parts.Add($"load average {one} {five} at the end");
        }

        return string.Join(", ", parts.Where(p => p.Length > 0));
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
