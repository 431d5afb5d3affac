using System.Runtime.InteropServices;

namespace Frugal.Cli.Native;

/// <summary>
/// What a ggml CPU backend build scores on this CPU: its own <c>ggml_backend_score</c>, which checks the instructions it
/// was compiled for against the CPU's (0: it cannot run here; higher: a more specific build). This is how ggml itself
/// picks among such builds; the libraries stay loaded in this process (a <c>native pull</c> never loads an engine).
/// </summary>
internal static class CpuBackendScore
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ScoreFunction();

    /// <exception cref="DllNotFoundException">The library (or the <c>libggml-base.so</c> beside it) cannot be loaded.</exception>
    /// <exception cref="EntryPointNotFoundException">It is not a ggml CPU backend build that scores itself.</exception>
    public static int Of(string library)
    {
        var handle = NativeLibrary.Load(library);
        var score = NativeLibrary.GetExport(handle, "ggml_backend_score");
        return Marshal.GetDelegateForFunctionPointer<ScoreFunction>(score)();
    }
}
