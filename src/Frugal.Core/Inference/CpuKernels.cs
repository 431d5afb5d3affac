using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// The weight types a CPU backend computes a decoded token's matrix products for with Frugal's own kernels: from the
/// mapped file as it is (<see cref="Mapped"/>), and in the layout llama.cpp repacks them into at load
/// (<see cref="Repacked"/>). What <see cref="EngineOptions.RepacksByDefault"/>
/// needs to know of the backend; <see cref="FrugalCpuKernels"/> reads it from the loaded library.
/// </summary>
/// <param name="Mapped">Types computed from the mapped file.</param>
/// <param name="Repacked">Types computed in llama.cpp's repacked layout.</param>
public sealed record CpuKernels(IReadOnlySet<GgmlType> Mapped, IReadOnlySet<GgmlType> Repacked)
{
    /// <summary>A backend with no kernels of Frugal's: llama.cpp's own (LLamaSharp's packaged builds, <c>native pull</c>'s).</summary>
    public static CpuKernels None { get; } = new(new HashSet<GgmlType>(), new HashSet<GgmlType>());
}
