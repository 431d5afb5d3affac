using System.ComponentModel.DataAnnotations;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.DependencyInjection;

/// <summary>
/// The model file and how the engine runs it (configuration section <c>Model</c>; <c>frugal serve</c> maps
/// <c>--model</c>, <c>--ctx</c>, <c>--batch</c>, <c>--ubatch</c>, <c>--threads</c>, <c>--parallel</c>,
/// <c>--context-shift</c> and <c>--chat-template</c> onto these keys). 0 means "choose": fitted to the box when <see cref="FitToBox"/>,
/// else the engine's default.
/// </summary>
public sealed class ModelOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Model";

    /// <summary>Largest <see cref="ContextSize"/> accepted.</summary>
    public const int MaxContextSize = 131_072;

    /// <summary>Smallest <see cref="ContextSize"/> accepted when one is given.</summary>
    public const int MinContextSize = 16;

    /// <summary>Largest <see cref="BatchSize"/> and <see cref="MicroBatchSize"/> accepted.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>The GGUF file to load (required).</summary>
    public string Path { get; set; } = "";

    /// <summary>Context size in tokens; 0 chooses (the model's own, capped).</summary>
    [Range(0, MaxContextSize)]
    public int ContextSize { get; set; }

    /// <summary>Prompt tokens per decode call; 0 chooses.</summary>
    [Range(0, MaxBatchSize)]
    public int BatchSize { get; set; }

    /// <summary>Micro-batch size, which sizes the compute buffer; 0 chooses.</summary>
    [Range(0, MaxBatchSize)]
    public int MicroBatchSize { get; set; }

    /// <summary>Inference threads; 0 follows the CPU quota.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// Requests decoded together in one batch (1 turns batching off); 0 chooses: with <see cref="FitToBox"/> the
    /// engine measures at load whether batching pays within the memory plan, otherwise 1.
    /// </summary>
    public int ParallelSequences { get; set; }

    /// <summary>
    /// The slowest a running reply may become because others joined it, in tokens/s (default 6): another
    /// stream starts only while the running ones keep this rate; otherwise the request waits in the fair queue.
    /// With <see cref="ParallelSequences"/> 0 it also sets how many streams are chosen at start.
    /// </summary>
    [Range(0.01, 10_000.0)]
    public double StreamFloorTokensPerSecond { get; set; } = EngineOptions.DefaultStreamFloorTokensPerSecond;

    /// <summary>Prompt tokens a joining request evaluates per step while other replies stream; 0 chooses at start.</summary>
    [Range(0, MaxBatchSize)]
    public int PrefillChunkTokens { get; set; }

    /// <summary>
    /// Reply tokens ahead over which a joining request's prompt may use the running replies' time in hand over the
    /// floor rate (default 64; 0: no pacing, whole prompt chunks; see <see cref="EngineOptions.PrefillHorizonTokens"/>).
    /// </summary>
    [Range(0, EngineOptions.MaxPrefillHorizonTokens)]
    public int PrefillHorizonTokens { get; set; } = EngineOptions.DefaultPrefillHorizonTokens;

    /// <summary>
    /// When a session's history window drops its oldest turns, shift the kept turns' KV cells down instead of reading
    /// them again (default true; see <see cref="EngineOptions.ContextShift"/>). False re-reads the window, the way a
    /// server without a context shift does.
    /// </summary>
    public bool ContextShift { get; set; } = true;

    /// <summary>The chat format; null takes it from the model file (an unknown template is then an error).</summary>
    public ChatTemplateFamily? ChatTemplate { get; set; }

    /// <summary>
    /// Fill the settings left at 0 from the model's shape, the CPU quota and the memory limit, and refuse a
    /// model that cannot fit (what <c>frugal serve</c> does); false takes the engine's defaults.
    /// </summary>
    public bool FitToBox { get; set; }

    /// <summary>
    /// The llama.cpp native library: "auto" (the default: LLamaSharp's choice for this CPU),
    /// "avx512", "avx2", "avx", "noavx" (a packaged build), or the path of a <c>libllama.so</c> of one's own build (see
    /// <see cref="NativeLibrarySelection"/>).
    /// </summary>
    public string NativeLibrary { get; set; } = NativeLibrarySelection.Auto;

    /// <summary>
    /// Repack weights into llama.cpp's CPU layouts at load: true, false, or null (the default) to decide by the file's
    /// type (<see cref="EngineOptions.RepacksByDefault"/>: the 4-bit types are repacked, unless Frugal's own CPU backend has kernels for
    /// every type of their matrices).
    /// </summary>
    public bool? RepackWeights { get; set; }

    /// <summary>
    /// Keep the mapped weights in 2 MiB pages (the default; see <see cref="EngineOptions.HugePages"/>): decoding from a
    /// page cache in small pages ran ≈0.87x as fast. False leaves the page cache as the kernel has it.
    /// </summary>
    public bool HugePages { get; set; } = true;

    /// <summary>
    /// After a load that repacks weights, give back the file's pages they were read from (the default; see
    /// <see cref="EngineOptions.ReleaseRepackedPages"/>). False leaves them cached until the kernel reclaims them.
    /// </summary>
    public bool ReleaseRepackedPages { get; set; } = true;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult("Model:Path is required: the GGUF file to load.", [nameof(Path)]);
        }

        if (ContextSize is > 0 and < MinContextSize)
        {
            yield return new ValidationResult(
                $"Model:ContextSize {ContextSize} must be at least {MinContextSize} tokens (or 0: chosen).", [nameof(ContextSize)]);
        }

        if (ParallelSequences is < 0 or > EngineOptions.MaxParallelSequences)
        {
            yield return new ValidationResult(
                $"Model:ParallelSequences {ParallelSequences} must be 1 to {EngineOptions.MaxParallelSequences} (0: chosen at start).", [nameof(ParallelSequences)]);
        }

        if (NativeLibrarySelection.Problem(NativeLibrary) is { } nativeLibrary)
        {
            yield return new ValidationResult($"Model:NativeLibrary {nativeLibrary}.", [nameof(NativeLibrary)]);
        }

        if (PrefillChunkTokens is > 0 and < EngineOptions.MinPrefillChunkTokens)
        {
            yield return new ValidationResult(
                $"Model:PrefillChunkTokens {PrefillChunkTokens} must be at least {EngineOptions.MinPrefillChunkTokens} tokens (or 0: chosen at start).", [nameof(PrefillChunkTokens)]);
        }

        if (ChatTemplate == ChatTemplateFamily.Unknown)
        {
            yield return new ValidationResult("Model:ChatTemplate must be zephyr, llama2 or chatml.", [nameof(ChatTemplate)]);
        }
    }
}
