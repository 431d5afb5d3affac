using Frugal.Cli.Commands;
using Frugal.Cli.Native;
using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Cli.Doctor;

internal sealed partial class MachineDoctor
{
    private static IEnumerable<DoctorCheck> CheckModel(string modelPath, int? contextSize, CpuSnapshot cpu, MemorySnapshot memory, string dataDirectory,
                                                       string? nativeLibrary)
    {
        ModelInfo model;
        try
        {
            model = ModelInfoReader.Read(modelPath);
        }
        catch (ModelFileException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Use a valid GGUF file (frugal model inspect FILE shows what is wrong).")];
        }
        catch (IOException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Check the path and that the file is readable.")];
        }
        catch (UnauthorizedAccessException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Check that the file is readable.")];
        }

        var valid = DoctorCheck.Pass("model.file",
            F($"{Path.GetFileName(modelPath)}: {model.Architecture} {model.FileType}, {model.ParameterCount / 1e6:0.#}M parameters, {model.FileSizeBytes / MiB} MiB, trained context {model.ContextLength}"));

        // The weights serve's load repacks (Model:RepackWeights auto, with the CPU backend it loads) count as anonymous memory.
        var repacking = PlannedRepacking.Of(GgufReader.Read(modelPath), model.FileType, setting: null,
            () => InstalledCpuBackend.Choice(nativeLibrary, dataDirectory, cpu.Flags));
        return [valid, CheckFit(model with { RepackedTensorBytes = repacking.Bytes }, contextSize, cpu, memory), CheckQuantization(modelPath, model, cpu, dataDirectory, nativeLibrary)];
    }

    /// <summary>
    /// Whether a smaller quantization of the same model would decode measurably faster on this box: one core's read
    /// bandwidth over the mapped file and, through the CPU backend serve would load (<c>auto</c>), how fast a matrix of
    /// each type the file or a smaller quantization uses is multiplied by a column (both measured now; the rates are
    /// recorded for serve). <paramref name="nativeLibrary"/>: a <c>Model:NativeLibrary</c> value (null: <c>auto</c>).
    /// </summary>
    internal static DoctorCheck CheckQuantization(string modelPath, ModelInfo model, CpuSnapshot cpu, string dataDirectory, string? nativeLibrary = null,
                                                  long matrixBytes = Frugal.Inference.KernelRates.DefaultMatrixBytes)
    {
        var library = InstalledCpuBackend.Choice(nativeLibrary, dataDirectory, cpu.Flags);
        var advice = MeasuredKernels.Advise(GgufReader.Read(modelPath), library, dataDirectory, cpu, remeasure: true, out var unmeasured, matrixBytes);
        var bandwidth = Frugal.Bench.BandwidthCeiling.Measure(modelPath).ReadBytesPerSecond;
        var detail = advice.Describe(model.FileType, bandwidth);
        return unmeasured is null
            ? DoctorCheck.Pass("model.quantization", detail)
            : DoctorCheck.Pass("model.quantization", detail + $" (from bytes per token alone: the kernels could not be measured, {unmeasured})");
    }

    internal static DoctorCheck CheckFit(ModelInfo model, int? contextSize, CpuSnapshot cpu, MemorySnapshot memory)
    {
        var choice = AutoConfigurator.Choose(model, cpu, memory, new BoxSettings { ContextSize = contextSize });
        var e = choice.Estimate;
        var detail = F($"at context {choice.ContextSize} (micro-batch {choice.MicroBatchSize}): {choice.RequiredBytes / MiB} MiB = {e.DescribeWeights()} + KV {e.KvCacheBytes / MiB} + compute {e.ComputeBytes / MiB} + runtime {e.RuntimeBytes / MiB} + server {AutoConfigurator.ServerOverheadBytes / MiB} MiB; limit {choice.LimitBytes / MiB} MiB ({(double)(choice.RequiredBytes + choice.OthersBytes) / choice.LimitBytes:P0} with other processes)")
            + (e.RepackedWeightsBytes > 0
                ? F($"; about {choice.LoadPeakBytes / MiB} MiB at the peak of the load{(choice.MaxAutoParallelSequences > 1 ? F($" with {choice.MaxAutoParallelSequences} sequences' KV") : "")} ({(double)(choice.LoadPeakBytes + choice.OthersBytes) / choice.LimitBytes:P0} with other processes), while the file's pages the repacked weights are read from are cached beside their copy, until the load gives them back")
                : "");
        if (!choice.Fits)
        {
            return DoctorCheck.Fail("model.fit", detail, choice.Refusal!);
        }

        return choice.RequiredBytes + choice.OthersBytes > choice.LimitBytes * new MemoryGovernorOptions().MediumThreshold
            ? DoctorCheck.Warn("model.fit", detail, "Fits, but above the medium pressure line from the start: replies will be capped under load. Use a shorter --ctx, a smaller quantization, or raise the limit.")
            : DoctorCheck.Pass("model.fit", detail);
    }
}
