using System.Globalization;
using Frugal.Cli.Native;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Tests.Native;

/// <summary>
/// The quantization advice of doctor and serve from kernel rates measured through the loaded CPU backend, kept in the
/// data directory for the backend, CPU and shape they were measured with.
/// </summary>
public sealed class MeasuredKernelsTests : IDisposable
{
    private static readonly CpuSnapshot Cpu = new() { OnlineCpus = 1, AllowedCpus = 1, Source = CgroupVersion.None, Flags = new HashSet<string> { "avx2" }, ModelName = "test cpu" };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Advise_MeasuresOnceThenReusesTheRecordUntilAskedToMeasureAgain()
    {
        var file = Q8_0File();
        var record = Path.Combine(_temp.Path, "data", "native", MeasuredKernels.RecordFile);

        var measured = Advise(file, remeasure: false, out var unmeasured);

        Assert.Null(unmeasured);
        Assert.NotNull(measured.Rates);
        var lines = File.ReadAllLines(record);
        Assert.StartsWith("key ", lines[0], StringComparison.Ordinal);
        Assert.Contains("|test cpu|1 threads|square matrices of 256|", lines[0], StringComparison.Ordinal);
        Assert.Equal(QuantizationAdvice.TypesToMeasure(file).Order(), lines.Skip(1).Select(l => Enum.Parse<GgmlType>(l.Split(' ')[0])).Order());

        // A record that says the K-quant kernels are a thousand times faster: serve takes it as it is...
        File.WriteAllLines(record, lines.Take(1).Concat(measured.Rates!.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Key} {(r.Key is GgmlType.Q4_K or GgmlType.Q6_K ? r.Value * 1000 : r.Value):R}"))));
        var recorded = Advise(file, remeasure: false, out _);
        Assert.Equal(measured.Rates[GgmlType.Q4_K] * 1000, recorded.Rates![GgmlType.Q4_K], 3);
        // (From the rates alone: the advice also counts the model's measured step, whose rest beyond the matrices
        // outweighs them on a model this small, and then rightly finds nothing faster.)
        Assert.Contains(QuantizationAdvice.For(file, recorded.Rates).Faster, f => f.Quantization == ModelQuantization.Q4_K_M);

        // ...doctor measures again and replaces it.
        var again = Advise(file, remeasure: true, out _);
        Assert.True(again.Rates![GgmlType.Q4_K] < recorded.Rates[GgmlType.Q4_K] / 10);
        Assert.Equal(again.Rates[GgmlType.Q4_K], double.Parse(File.ReadAllLines(record).Single(l => l.StartsWith("Q4_K ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Advise_MeasuresTheModelsDecodeStepOnceThenReusesItForThatFile()
    {
        var file = Q8_0File();
        var record = Path.Combine(_temp.Path, "data", "native", MeasuredKernels.StepRecordFile);

        var measured = Advise(file, remeasure: false, out _);

        Assert.True(measured.StepSeconds > 0, $"step {measured.StepSeconds}");
        var lines = File.ReadAllLines(record);
        Assert.Equal(2, lines.Length);
        Assert.Contains($"|model {Path.GetFullPath(file.Path)}|{file.FileSizeBytes}|", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("|repack auto", lines[0], StringComparison.Ordinal);
        Assert.Equal(measured.StepSeconds!.Value, double.Parse(lines[1], CultureInfo.InvariantCulture));

        // A recorded step of ten seconds: serve takes it (the whole token is then the rest)...
        File.WriteAllLines(record, [lines[0], "10"]);
        var recorded = Advise(file, remeasure: false, out _);
        Assert.Equal(10, recorded.StepSeconds);
        Assert.Equal(10, recorded.SecondsPerToken(recorded.Current)!.Value, 9);

        // ...doctor measures again; another file of the same shape is measured for itself.
        Assert.True(Advise(file, remeasure: true, out _).StepSeconds < 10);
        File.WriteAllLines(record, [lines[0], "10"]);
        var copy = _temp.File("copy.gguf");
        File.Copy(file.Path, copy);
        Assert.True(Advise(GgufReader.Read(copy), remeasure: false, out _).StepSeconds < 10);
    }

    [Theory]
    [InlineData("another key")]
    [InlineData(null)]
    public void Advise_RecordOfAnotherBackendOrUnreadable_MeasuresAgain(string? firstLine)
    {
        var file = Q8_0File();
        var record = Path.Combine(_temp.Path, "data", "native", MeasuredKernels.RecordFile);
        Directory.CreateDirectory(Path.GetDirectoryName(record)!);
        File.WriteAllLines(record, firstLine is null ? ["garbage"] : ["key " + firstLine, "Q8_0 1", "Q6_K 1", "Q5_K 1", "Q4_K 1e20"]);

        var advice = Advise(file, remeasure: false, out _);

        Assert.True(advice.Rates![GgmlType.Q4_K] < 1e15);
        Assert.StartsWith("key /", File.ReadAllLines(record)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Advise_Q4KOfAFileRepackedUnderAuto_MeasuredRepacked()
    {
        // The packaged backend: llama.cpp repacks a Q4_K_M file under auto, so Q4_K (a candidate's type) is measured in its
        // repack buffer, and the record says so; Q8_0, Q6_K and Q5_K are measured as they are.
        var file = Q8_0File();

        var advice = Advise(file, remeasure: false, out var unmeasured);

        Assert.Null(unmeasured);
        Assert.True(advice.Rates![GgmlType.Q4_K] > 0);
        Assert.EndsWith("|repacked Q4_K", File.ReadAllLines(Path.Combine(_temp.Path, "data", "native", MeasuredKernels.RecordFile))[0], StringComparison.Ordinal);
    }

    [Fact]
    public void RepackedTypes_FollowTheRepackSetting()
    {
        KernelRates.Load(NativeLibrarySelection.Auto);
        HashSet<GgmlType> types = [GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q4_K, GgmlType.Q4_0];

        Assert.Empty(MeasuredKernels.RepackedTypes(types, repackWeights: false));
        Assert.Equal([GgmlType.Q4_0, GgmlType.Q4_K], MeasuredKernels.RepackedTypes(types, repackWeights: true).Order());
        // Auto with the packaged backend (no kernels of Frugal's): the 4-bit files are repacked.
        Assert.Equal([GgmlType.Q4_0, GgmlType.Q4_K], MeasuredKernels.RepackedTypes(types, repackWeights: null).Order());
    }

    [Fact]
    public void RowLength_TheWidthMostMatricesHave()
    {
        Assert.Equal(256, MeasuredKernels.RowLength(Q8_0File()));
    }

    private QuantizationAdvice Advise(GgufFile file, bool remeasure, out string? unmeasured) =>
        MeasuredKernels.Advise(file, NativeLibrarySelection.Auto, Path.Combine(_temp.Path, "data"), Cpu, remeasure, out unmeasured, matrixBytes: 1L << 20);

    private GgufFile Q8_0File()
    {
        var path = _temp.File("q8.gguf");
        if (!File.Exists(path))
        {
            var shape = ModelShape.Tiny with { Name = "superblock", EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 8 };
            ModelSynthesizer.Write(path, new SynthesisOptions { Shape = shape, Quant = ModelQuantization.Q8_0 });
        }

        return GgufReader.Read(path);
    }
}
