namespace Frugal.Memory;

/// <summary>The CPU this process may use: cores, quota, affinity and instruction-set features.</summary>
public sealed record CpuSnapshot
{
    /// <summary>Processors the machine has online.</summary>
    public required int OnlineCpus { get; init; }

    /// <summary>Processors this process may run on (its affinity mask).</summary>
    public required int AllowedCpus { get; init; }

    /// <summary>The cgroup CPU quota in cores (1.5 = 150 ms per 100 ms), or null when there is none.</summary>
    public double? QuotaCores { get; init; }

    /// <summary>Where the quota came from.</summary>
    public required CgroupVersion Source { get; init; }

    /// <summary>The CPU's feature flags from <c>/proc/cpuinfo</c> ("avx2", "avx512f", ...).</summary>
    public required IReadOnlySet<string> Flags { get; init; }

    /// <summary>The model name from <c>/proc/cpuinfo</c>, when present.</summary>
    public string? ModelName { get; init; }

    /// <summary>The cores' worth of CPU time this process can get: the smaller of its affinity and its quota.</summary>
    public double EffectiveCores => QuotaCores is { } quota ? Math.Min(quota, AllowedCpus) : AllowedCpus;

    /// <summary>Threads worth running for compute-bound work: whole effective cores, at least one.</summary>
    public int ComputeThreads => Math.Max(1, (int)Math.Floor(EffectiveCores + 1e-9));

    /// <summary>True when the CPU has AVX2.</summary>
    public bool HasAvx2 => Flags.Contains("avx2");

    /// <summary>True when the CPU has AVX-512 (foundation).</summary>
    public bool HasAvx512 => Flags.Contains("avx512f");

    /// <summary>True when the CPU has VNNI (AVX-512 VNNI or AVX-VNNI), which speeds up quantized dot products.</summary>
    public bool HasVnni => Flags.Contains("avx512_vnni") || Flags.Contains("avx_vnni");

    /// <summary>
    /// The LLamaSharp.Backend.Cpu build folder that will be loaded on this CPU: LLamaSharp picks the
    /// highest AVX level the CPU supports ("avx512", "avx2", "avx", "noavx").
    /// </summary>
    public string LlamaBuild => HasAvx512 ? "avx512" : HasAvx2 ? "avx2" : Flags.Contains("avx") ? "avx" : "noavx";
}
