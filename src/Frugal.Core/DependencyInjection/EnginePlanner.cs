using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>
/// Turns the operator's <see cref="ModelOptions"/> into the engine's settings once: given values are kept; with
/// <see cref="ModelOptions.FitToBox"/> the rest come from <see cref="AutoConfigurator"/> (model shape, CPU quota,
/// memory limit and the governor's thresholds), otherwise from the engine's defaults. The loader and
/// <c>frugal serve</c> (which prints the reasons and refuses a model that cannot fit before it listens) read
/// the same plan.
/// </summary>
public sealed class EnginePlanner
{
    private readonly Lazy<EnginePlan> _plan;

    /// <summary>Creates the planner; nothing is read until <see cref="Plan"/> is first asked for.</summary>
    public EnginePlanner(IOptions<FrugalOptions> options, IMemoryProbe memory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(memory);
        _plan = new Lazy<EnginePlan>(() => Choose(options.Value, memory));
    }

    /// <summary>The plan (computed on first use; reads the model file's header when fitting to the box).</summary>
    public EnginePlan Plan => _plan.Value;

    private static EnginePlan Choose(FrugalOptions options, IMemoryProbe memory)
    {
        var model = options.Model;
        var given = new EngineOptions
        {
            ModelPath = model.Path,
            ContextSize = model.ContextSize,
            BatchSize = model.BatchSize > 0 ? model.BatchSize : EngineOptions.DefaultBatchSize,
            MicroBatchSize = model.MicroBatchSize,
            Threads = model.Threads,
            ParallelSequences = model.ParallelSequences > 0 ? model.ParallelSequences : 1,
            ChatTemplate = model.ChatTemplate,
            NativeLibrary = model.NativeLibrary,
            RepackWeights = model.RepackWeights,
            HugePages = model.HugePages,
            ReleaseRepackedPages = model.ReleaseRepackedPages,
            StreamFloorTokensPerSecond = model.StreamFloorTokensPerSecond,
            PrefillChunkTokens = model.PrefillChunkTokens,
            PrefillHorizonTokens = model.PrefillHorizonTokens,
            ContextShift = model.ContextShift,
        };
        if (!model.FitToBox)
        {
            return new EnginePlan(given, [], null);
        }

        if (!File.Exists(model.Path))
        {
            return new EnginePlan(given, [], $"{model.Path}: no such model file.");
        }

        ModelInfo info;
        try
        {
            var file = GgufReader.Read(model.Path);
            // The weights the load will repack count as anonymous memory: decided as the engine decides, with the kernels of
            // the CPU backend it will load (loaded now, only when the decision needs them).
            info = ModelInfoReader.FromFile(file) with
            {
                RepackedTensorBytes = RepackedWeights.AtLoad(file, model.RepackWeights, () => FrugalCpuKernels.OfOrLoaded(model.NativeLibrary, out _)),
            };
        }
        catch (ModelFileException e)
        {
            return new EnginePlan(given, [], e.Message);
        }

        var choice = AutoConfigurator.Choose(info, new CpuProbe().Read(), memory.Read(), new BoxSettings
        {
            ContextSize = Given(model.ContextSize),
            BatchSize = Given(model.BatchSize),
            MicroBatchSize = Given(model.MicroBatchSize),
            Threads = Given(model.Threads),
            ParallelSequences = Given(model.ParallelSequences),
        }, options.Memory);
        var engine = given with
        {
            ContextSize = choice.ContextSize,
            BatchSize = choice.BatchSize,
            MicroBatchSize = choice.MicroBatchSize,
            Threads = choice.Threads,
            // Not given: the engine measures at load whether the sequences that fit pay (0), or runs one.
            ParallelSequences = model.ParallelSequences > 0 ? choice.ParallelSequences : choice.MaxAutoParallelSequences > 1 ? 0 : 1,
            MaxAutoParallelSequences = Math.Clamp(choice.MaxAutoParallelSequences, 1, EngineOptions.MaxParallelSequences),
        };
        return new EnginePlan(engine, choice.Reasons, choice.Fits ? null : choice.Refusal ?? "the model does not fit in this box's memory.") { Fit = choice };
    }

    private static int? Given(int value) => value > 0 ? value : null;
}
