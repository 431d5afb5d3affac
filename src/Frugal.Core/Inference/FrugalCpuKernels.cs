using System.Runtime.InteropServices;
using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// The weight types Frugal's own CPU backend (<c>frugal native build</c>, <c>native/cpu</c>) computes a decoded token's
/// matrix products for itself, as the loaded <c>libggml-cpu</c> reports them (<c>frugal_matvec_types</c>: bit N set for
/// ggml type N; none when <c>FRUGAL_CPU_MATVEC=off</c>). Any other backend reports none.
/// </summary>
public static class FrugalCpuKernels
{
    /// <summary>The types, from the CPU backend this process loaded; empty before the native library is loaded, or for any other backend.</summary>
    public static unsafe IReadOnlySet<GgmlType> Loaded()
    {
        if (NativeLibrarySelection.LoadedCpuBackend() is null || !NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-cpu"), out var library)
            || !NativeLibrary.TryGetExport(library, "frugal_matvec_types", out var export))
        {
            return new HashSet<GgmlType>();
        }

        var bits = ((delegate* unmanaged<ulong>)export)();
        return Enumerable.Range(0, 64).Where(n => (bits & (1UL << n)) != 0).Select(n => (GgmlType)n).ToHashSet();
    }
}
