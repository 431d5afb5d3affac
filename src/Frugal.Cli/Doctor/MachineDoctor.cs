using System.Globalization;
using Frugal.Cli.Native;
using Frugal.Memory;
using Frugal.Storage;

namespace Frugal.Cli.Doctor;

/// <summary>Checks a machine as a deployment target for Frugal (CPU, memory, kernel settings, disk, model).</summary>
internal sealed partial class MachineDoctor(IFileSystem fileSystem)
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// The checks; with <paramref name="modelPath"/>, the model's too, its quantization advice measured through
    /// <paramref name="nativeLibrary"/> (a <c>Model:NativeLibrary</c> value; null: <c>auto</c>, as serve).
    /// </summary>
    public DoctorReport Run(string dataDirectory, string? modelPath, int? contextSize, string? nativeLibrary = null)
    {
        var cpu = new CpuProbe(fileSystem).Read();
        var memory = new MemoryProbe(fileSystem, TimeProvider.System).Read();
        List<DoctorCheck> checks =
        [
            CheckCores(cpu),
            CheckFeatures(cpu),
            CheckCpuBackend(cpu, dataDirectory, nativeLibrary),
            CheckMemory(memory),
            CheckSwap(memory),
            CheckOvercommit(),
            CheckTransparentHugePages(),
            CheckDisk(dataDirectory),
            CheckDataPermissions(dataDirectory),
        ];
        if (modelPath is not null)
        {
            checks.AddRange(CheckModel(modelPath, contextSize, cpu, memory, dataDirectory, nativeLibrary));
        }

        return new DoctorReport(checks);
    }

    internal static DoctorCheck CheckCores(CpuSnapshot cpu)
    {
        var quota = cpu.QuotaCores is { } q ? F($", quota {q:0.##} cores ({cpu.Source})") : ", no CPU quota";
        var detail = F($"{cpu.EffectiveCores:0.##} effective core(s): {cpu.AllowedCpus} of {cpu.OnlineCpus} CPUs allowed{quota}; {cpu.ComputeThreads} inference thread(s)");
        return cpu.EffectiveCores < 1
            ? DoctorCheck.Warn("cpu.cores", detail, "Less than one whole core: decoding slows in proportion. Give the box at least 1 full core (cpu.max / cpu.cfs_quota_us).")
            : DoctorCheck.Pass("cpu.cores", detail);
    }

    internal static DoctorCheck CheckFeatures(CpuSnapshot cpu)
    {
        var detail = F($"AVX2 {YesNo(cpu.HasAvx2)}, AVX-512 {YesNo(cpu.HasAvx512)}, VNNI {YesNo(cpu.HasVnni)}; packaged llama.cpp build for these flags: {cpu.LlamaBuild} (frugal --version shows the one loaded)");
        if (cpu.HasVnni && cpu.HasAvx2)
        {
            // LLamaSharp's packaged builds and Frugal's shipped avx2 one have no VNNI code; Frugal's backend built for an AVX-512
            // VNNI CPU adds its VNNI kernels (TinyLlama Q8_0 prompts 2.5x, Q4_0 1.3x the avx2 build's on Zen 4), the prebuilt
            // ones llama.cpp's VNNI code (prompts 1.13-1.35x the packaged build's, decode without Frugal's kernels).
            detail += "; the packaged builds and Frugal's shipped avx2 backend have no VNNI code: 'frugal native build' compiles Frugal's backend with it "
                      + "('frugal native pull' installs a prebuilt llama.cpp one with it, without Frugal's decode kernels), which Model:NativeLibrary auto loads from then on";
        }

        if (CpuBackendBuilder.MissingInstructions(cpu.Flags).Count == 0)
        {
            // Frugal's Q8_0, Q4_K, Q5_K and Q6_K products read four streams of weights where llama.cpp reads one, and the
            // K-quants with fewer instructions: Q8_0 1.4-1.5x, Q4_K_M 1.4x, Q6_K 1.5x the decode on an EPYC (Zen 3).
            detail += "; 'frugal native build' compiles Frugal's own CPU backend for this very CPU (Q8_0 and K-quant models decode faster with it; "
                      + "releases ship it prebuilt for AVX2 CPUs, which auto loads; needs npm, git, cmake, g++)";
        }

        return cpu.HasAvx2
            ? DoctorCheck.Pass("cpu.features", detail)
            : DoctorCheck.Warn("cpu.features", detail,
                "No AVX2: the '" + cpu.LlamaBuild + "' build of llama.cpp is several times slower on quantized models. Use a CPU (or VM type) that exposes AVX2.");
    }

    /// <summary>Which llama.cpp CPU backend serve would load (<paramref name="nativeLibrary"/>; null: <c>auto</c>) and why: the one resolution the commands share.</summary>
    internal static DoctorCheck CheckCpuBackend(CpuSnapshot cpu, string dataDirectory, string? nativeLibrary,
                                                string? packagedDirectory = null, string? shippedDirectory = null)
    {
        try
        {
            var resolved = InstalledCpuBackend.Resolve(nativeLibrary, dataDirectory, cpu.Flags,
                packagedDirectory ?? CpuBackendInstaller.DefaultPackagedDirectory, shippedDirectory ?? ShippedCpuBackend.DefaultDirectory);
            // The resolution's own line names the library and why; without one, the choice as the engine takes it.
            var detail = resolved.Line?["CPU backend: ".Length..]
                         ?? (resolved.Choice == Frugal.Inference.NativeLibrarySelection.Auto
                             ? $"LLamaSharp's packaged {cpu.LlamaBuild} build (Model:NativeLibrary {nativeLibrary ?? Frugal.Inference.NativeLibrarySelection.Auto})"
                             : resolved.Choice);
            return DoctorCheck.Pass("cpu.backend", detail);
        }
        catch (CpuBackendException e)
        {
            return DoctorCheck.Fail("cpu.backend", e.Message, "Use Model:NativeLibrary auto (or packaged), or install a release that ships Frugal's CPU backend on a CPU with AVX2, FMA, F16C and BMI2.");
        }
    }

    internal static DoctorCheck CheckMemory(MemorySnapshot memory)
    {
        var source = memory.Source switch
        {
            CgroupVersion.V2 => "cgroup v2 memory.max",
            CgroupVersion.V1 => "cgroup v1 memory.limit_in_bytes",
            _ => "no cgroup limit: MemTotal",
        };
        var detail = F($"limit {memory.LimitBytes / MiB} MiB ({source}); resident in use {memory.ResidentRequiredBytes / MiB} MiB (anonymous), page cache {memory.PageCacheBytes / MiB} MiB; available {memory.AvailableBytes / MiB} MiB");
        if (memory.AvailableBytes < 1024 * MiB)
        {
            return DoctorCheck.Fail("memory.available", detail,
                "Under 1 GiB available for a 1.1B model: stop other processes in the box or raise its memory limit to at least 2 GiB.");
        }

        return memory.LimitBytes < 2048 * MiB
            ? DoctorCheck.Warn("memory.available", detail, "A limit under 2 GiB leaves little room beside a 1.1B Q8_0 model (1.1 GiB mapped): use a smaller quantization or a shorter context.")
            : DoctorCheck.Pass("memory.available", detail);
    }

    internal static DoctorCheck CheckSwap(MemorySnapshot memory)
    {
        var swapTotal = memory.SwapTotalBytes;
        return swapTotal == 0
            ? DoctorCheck.Pass("memory.swap", "no swap: Frugal's governor keeps resident memory under the limit instead")
            : DoctorCheck.Warn("memory.swap", F($"{swapTotal / MiB} MiB of swap"),
                "With swap the kernel pages the server's anonymous memory out and replies stall for seconds; run without swap (swapoff -a) or set vm.swappiness=1 and let the governor shed load.");
    }

    internal DoctorCheck CheckOvercommit()
    {
        var mode = fileSystem.TryReadAllText("/proc/sys/vm/overcommit_memory")?.Trim();
        return mode switch
        {
            "0" => DoctorCheck.Pass("kernel.overcommit", "vm.overcommit_memory=0 (heuristic)"),
            "1" => DoctorCheck.Warn("kernel.overcommit", "vm.overcommit_memory=1 (always)",
                "Allocations never fail, so running out shows up only as an OOM kill; set vm.overcommit_memory=0."),
            "2" => DoctorCheck.Warn("kernel.overcommit", "vm.overcommit_memory=2 (strict)",
                ".NET reserves large address ranges and may fail to start or allocate under strict accounting; set vm.overcommit_memory=0."),
            _ => DoctorCheck.Warn("kernel.overcommit", "vm.overcommit_memory unreadable", "Check that /proc/sys/vm/overcommit_memory is readable; 0 is recommended."),
        };
    }

    internal DoctorCheck CheckTransparentHugePages()
    {
        var enabled = Selected(fileSystem.TryReadAllText("/sys/kernel/mm/transparent_hugepage/enabled"));
        var defrag = Selected(fileSystem.TryReadAllText("/sys/kernel/mm/transparent_hugepage/defrag"));
        var detail = $"transparent_hugepage enabled={enabled ?? "n/a"} defrag={defrag ?? "n/a"}";
        if (enabled == "always")
        {
            return DoctorCheck.Warn("kernel.thp", detail,
                "THP 'always' rounds anonymous memory up to 2 MiB pages and khugepaged can add hundreds of MiB in a 2 GiB box; echo madvise > /sys/kernel/mm/transparent_hugepage/enabled.");
        }

        return defrag == "always"
            ? DoctorCheck.Warn("kernel.thp", detail, "THP defrag 'always' stalls allocations for compaction; echo defer+madvise > /sys/kernel/mm/transparent_hugepage/defrag.")
            : DoctorCheck.Pass("kernel.thp", detail);
    }

    internal static DoctorCheck CheckDisk(string dataDirectory)
    {
        var full = Path.GetFullPath(dataDirectory);
        var existing = full;
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? "/";
        }

        var free = new DriveInfo(existing).AvailableFreeSpace;
        var detail = F($"{free / MiB} MiB free for the data directory {full}");
        return free switch
        {
            < 256 * MiB => DoctorCheck.Fail("disk.free", detail, "Under 256 MiB free: the database and saved session state need room; free space or move --data elsewhere."),
            < 2048 * MiB => DoctorCheck.Warn("disk.free", detail, "Under 2 GiB free: saved session state (≈34 MB per 1,500-token session) fills it quickly; free space or move --data."),
            _ => DoctorCheck.Pass("disk.free", detail),
        };
    }

    internal static DoctorCheck CheckDataPermissions(string dataDirectory)
    {
        var full = Path.GetFullPath(dataDirectory);
        if (OperatingSystem.IsWindows())
        {
            return DoctorCheck.Pass("data.permissions", $"{full}: access follows the folder's inherited ACLs on Windows");
        }

        if (!Directory.Exists(full))
        {
            return DoctorCheck.Pass("data.permissions", $"{full} does not exist yet; Frugal creates it for its owner only (0700, files 0600)");
        }

        if (PrivateData.Problem(full) is { } problem)
        {
            return problem.Refused
                ? DoctorCheck.Fail("data.permissions", problem.Message, $"serve refuses this directory: chmod 700 {full}")
                : DoctorCheck.Warn("data.permissions", problem.Message, $"chmod 700 {full}");
        }

        var loose = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(full, "*", SearchOption.AllDirectories))
        {
            if ((File.GetUnixFileMode(path) & (UnixFileMode)0x3F) != 0 && loose.Count < 3)
            {
                loose.Add(path);
            }
        }

        return loose.Count == 0
            ? DoctorCheck.Pass("data.permissions", $"{full} and everything in it are private to their owner")
            : DoctorCheck.Warn("data.permissions", $"other users can reach {string.Join(", ", loose)} under {full}",
                $"chmod -R go-rwx {full}");
    }

    // "always [madvise] never" → "madvise".
    private static string? Selected(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var open = text.IndexOf('[', StringComparison.Ordinal);
        var close = text.IndexOf(']', StringComparison.Ordinal);
        return open >= 0 && close > open ? text[(open + 1)..close] : text.Trim();
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
