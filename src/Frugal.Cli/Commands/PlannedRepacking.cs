using Frugal.Cli.Native;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Cli.Commands;

/// <summary>
/// What loading a file will copy into anonymous memory, decided as the engine decides it
/// (<see cref="RepackedWeights.Requested"/>), for <c>model inspect</c> and <c>doctor</c>'s memory figures.
/// </summary>
/// <param name="Bytes">The weights the load repacks (0 when none).</param>
/// <param name="Setting">The repacking setting it is for: auto, on or off.</param>
/// <param name="Note">Why nothing is repacked, or that the CPU backend could not be asked for its kernels; null otherwise.</param>
internal sealed record PlannedRepacking(long Bytes, string Setting, string? Note)
{
    /// <summary>
    /// The plan for <paramref name="file"/> (of llama.cpp file type <paramref name="fileType"/>) under
    /// <paramref name="setting"/>; with auto and a file the decision needs them for, the kernels of the CPU backend
    /// <paramref name="nativeLibrary"/> resolves to, loaded as the engine loads it.
    /// </summary>
    public static PlannedRepacking Of(GgufFile file, string fileType, bool? setting, Func<string?> nativeLibrary)
    {
        string? problem = null;
        var requested = RepackedWeights.Requested(file, setting, () =>
        {
            try
            {
                return FrugalCpuKernels.OfOrLoaded(nativeLibrary(), out problem);
            }
            catch (CpuBackendException e)
            {
                problem = e.Message;
                return FrugalCpuKernels.Current();
            }
        });
        var bytes = requested ? RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes) : 0;
        var name = setting switch { true => "on", false => "off", null => "auto" };
        var note = problem is not null ? $"decided with the kernels of the CPU backend loaded, as this one could not be loaded: {problem}"
            : bytes > 0 ? null
            : setting == false ? "repack off"
            : !requested ? $"repack auto does not repack a {fileType} file with this CPU backend"
            : $"none of its matrices is of a type llama.cpp repacks: {string.Join(", ", RepackedWeights.LlamaCppTypes.Order())}";
        return new PlannedRepacking(bytes, name, note);
    }
}
