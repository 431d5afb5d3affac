using Frugal.Models;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Doctor;

/// <summary><c>frugal doctor</c> run as the built executable.</summary>
public sealed class DoctorCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Doctor_ModelWithNativeLibrary_MeasuresTheQuantizationAdviceThroughThatLibrary()
    {
        var model = _temp.File("q8.gguf");
        var shape = ModelShape.Tiny with { Name = "superblock", EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 8 };
        ModelSynthesizer.Write(model, new SynthesisOptions { Shape = shape, Quant = ModelQuantization.Q8_0 });
        var data = _temp.File("data");

        var (code, output, error) = CliRunner.Process("doctor", "--model", model, "--data", data, "--native-library", "avx2");

        Assert.True(code is 0 or 1, $"exit {code}: {error}");
        Assert.Matches(@"model\.quantization\s+Q8_0 reads \d+ MiB of weights per token; at this core's [\d.]+ GB/s .*; measured here, a matrix times a column: Q8_0 [\d.]+ GB/s", output);
        var key = File.ReadAllLines(Path.Combine(data, "native", Frugal.Cli.Native.MeasuredKernels.RecordFile))[0];
        Assert.Contains("/native/avx2/libggml-cpu.so|", key, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_UnknownNativeLibrary_RefusedWithTheChoices()
    {
        var (code, _, error) = CliRunner.Process("doctor", "--data", _temp.File("data"), "--native-library", "avx1024");

        Assert.NotEqual(0, code);
        Assert.Contains("--native-library", error, StringComparison.Ordinal);
        Assert.Contains("auto, packaged, frugal, avx512, avx2, avx, noavx", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_FrugalWhereThisProgramShipsNoBackend_RefusedWithWhy()
    {
        // The test's program is a build from source: no native/frugal-avx2 beside it.
        var (code, _, error) = CliRunner.Process("doctor", "--data", _temp.File("data"), "--native-library", "frugal");

        Assert.NotEqual(0, code);
        Assert.Contains("--native-library: native library 'frugal': Frugal's CPU backend is not shipped beside this program", error, StringComparison.Ordinal);
    }
}
