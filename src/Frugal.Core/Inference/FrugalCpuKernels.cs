using System.Runtime.InteropServices;
using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// The weight types Frugal's own CPU backend (<c>frugal native build</c>, <c>native/cpu</c>) computes a decoded token's
/// matrix products for itself, as the loaded <c>libggml-cpu</c> reports them (bit N set for ggml type N; none when
/// <c>FRUGAL_CPU_MATVEC=off</c>): read from the mapped file as they are (<c>frugal_matvec_types</c>), and in the layout
/// llama.cpp repacks them into at load (<c>frugal_repacked_types</c>). Any other backend reports none.
/// </summary>
public static class FrugalCpuKernels
{
    /// <summary>The types computed from the mapped file, from the CPU backend this process loaded; empty before the native library is loaded, or for any other backend.</summary>
    public static IReadOnlySet<GgmlType> Loaded() => Types("frugal_matvec_types");

    /// <summary>The types computed in llama.cpp's repacked layout, likewise.</summary>
    public static IReadOnlySet<GgmlType> LoadedRepacked() => Types("frugal_repacked_types");

    private static unsafe HashSet<GgmlType> Types(string export)
    {
        if (NativeLibrarySelection.LoadedCpuBackend() is null || !NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-cpu"), out var library)
            || !NativeLibrary.TryGetExport(library, export, out var function))
        {
            return [];
        }

        var bits = ((delegate* unmanaged<ulong>)function)();
        return Enumerable.Range(0, 64).Where(n => (bits & (1UL << n)) != 0).Select(n => (GgmlType)n).ToHashSet();
    }
}
