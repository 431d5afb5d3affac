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

    /// <summary>Both sets of the CPU backend this process loaded (<see cref="CpuKernels.None"/>'s before one is loaded).</summary>
    public static CpuKernels Current() => new(Loaded(), LoadedRepacked());

    /// <summary>
    /// The kernels of the CPU backend <paramref name="nativeLibrary"/> names (a <see cref="EngineOptions.NativeLibrary"/>
    /// value), loading it first as the engine loads it (a no-op once it is loaded), so that a plan made before the load
    /// decides as the load will.
    /// </summary>
    /// <exception cref="ArgumentException">The choice is not acceptable (<see cref="NativeLibrarySelection.Apply"/>).</exception>
    /// <exception cref="InvalidOperationException">The process loaded another library already.</exception>
    public static CpuKernels Of(string? nativeLibrary)
    {
        NativeLibrarySelection.Apply(nativeLibrary);
        LlamaRuntime.LoadLibrary();
        return Current();
    }

    /// <summary>
    /// As <see cref="Of"/>, for a plan that must not fail where the load would say why: when the library cannot be loaded
    /// here (or another one is loaded), the kernels of what is loaded (none when nothing is), and the reason in
    /// <paramref name="problem"/>.
    /// </summary>
    public static CpuKernels OfOrLoaded(string? nativeLibrary, out string? problem)
    {
        problem = null;
        try
        {
            return Of(nativeLibrary);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or LLama.Exceptions.RuntimeError or ArgumentException
                                      or InvalidOperationException)
        {
            problem = e.Message;
            return Current();
        }
    }

    /// <summary>
    /// Whether the CPU backend this process loaded puts llama.cpp's repacked copy of the weights in 2 MiB pages (its
    /// default; <c>frugal_set_repacked_huge_pages</c>) for the loads from now on, as <see cref="EngineOptions.HugePages"/>
    /// says. False when the backend has no such setting (any but Frugal's, or none loaded yet): its buffer stays in the
    /// kernel's default pages.
    /// </summary>
    public static unsafe bool SetRepackedHugePages(bool on)
    {
        if (Export("frugal_set_repacked_huge_pages") is not { } function)
        {
            return false;
        }

        ((delegate* unmanaged<int, void>)function)(on ? 1 : 0);
        return true;
    }

    private static nint? Export(string name) =>
        NativeLibrarySelection.LoadedCpuBackend() is not null && NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-cpu"), out var library)
        && NativeLibrary.TryGetExport(library, name, out var function)
            ? function
            : null;

    private static unsafe HashSet<GgmlType> Types(string export)
    {
        if (Export(export) is not { } function)
        {
            return [];
        }

        var bits = ((delegate* unmanaged<ulong>)function)();
        return Enumerable.Range(0, 64).Where(n => (bits & (1UL << n)) != 0).Select(n => (GgmlType)n).ToHashSet();
    }
}
