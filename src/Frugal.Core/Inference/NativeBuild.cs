using System.Runtime.InteropServices;
using LLama.Native;

namespace Frugal.Inference;

/// <summary>Which llama.cpp build LLamaSharp loaded (ggml's own version and commit), for <c>frugal --version</c>.</summary>
public static class NativeBuild
{
    /// <summary>
    /// Loads the native library as the engine would for <paramref name="choice"/> (see <see cref="NativeLibrarySelection"/>),
    /// then reads <c>ggml_version()</c> and <c>ggml_commit()</c> from libggml-base (already loaded as libllama's
    /// dependency). One line; says why when it cannot tell.
    /// </summary>
    public static unsafe string Describe(string? choice)
    {
        try
        {
            NativeLibrarySelection.Apply(choice);
            NativeApi.llama_empty_call();
            if (!NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-base"), out var library))
            {
                return "llama.cpp (LLamaSharp 0.30.0 backend; ggml version unknown)";
            }

            var version = NativeLibrary.TryGetExport(library, "ggml_version", out var v) ? Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)v)()) : null;
            var commit = NativeLibrary.TryGetExport(library, "ggml_commit", out var c) ? Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)c)()) : null;
            var backend = NativeLibrarySelection.LoadedCpuBackend();
            return $"llama.cpp (LLamaSharp backend): ggml {version ?? "?"}, commit {commit ?? "?"}; CPU backend {backend ?? "unknown"}";
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or LLama.Exceptions.RuntimeError or InvalidOperationException or ArgumentException)
        {
            return $"llama.cpp native library not loadable here ({e.Message})";
        }
    }
}
