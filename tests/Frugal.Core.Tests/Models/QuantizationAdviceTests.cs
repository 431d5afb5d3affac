using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>What a model would weigh in another quantization, checked against files actually written in it.</summary>
public sealed class QuantizationAdviceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Quants => [.. ModelQuantization.Known.Select(q => q.Name)];

    [Theory]
    [MemberData(nameof(Quants))]
    public void As_EachQuantization_EqualsTheTensorBytesOfAFileWrittenInIt(string name)
    {
        var quant = ModelQuantization.FromName(name)!;
        var f16 = Write(ModelQuantization.F16);
        var written = Write(quant);

        var predicted = QuantizationFootprint.As(f16, quant)!;
        var actual = QuantizationFootprint.Of(written);

        Assert.Equal(actual.TensorBytes, predicted.TensorBytes);
        Assert.Equal(actual.BytesPerToken, predicted.BytesPerToken);
        Assert.Equal(written.TensorDataBytes, actual.TensorBytes);
    }

    [Fact]
    public void Of_BytesPerToken_CountsOneRowOfTheTokenEmbedding()
    {
        var file = Write(ModelQuantization.Q8_0);
        var embedding = file.Tensors.Single(t => t.Name == "token_embd.weight");

        var footprint = QuantizationFootprint.Of(file);

        Assert.Equal(file.TensorDataBytes - embedding.ByteSize + (embedding.ByteSize / embedding.Dimensions[^1]), footprint.BytesPerToken);
    }

    [Fact]
    public void For_Q8_0WithAvx2_NamesQ4_K_MWithItsSpeedupAndFreedMemory()
    {
        var q8 = Write(ModelQuantization.Q8_0);
        var q4 = QuantizationFootprint.Of(Write(ModelQuantization.Q4_K_M));

        var advice = QuantizationAdvice.For(q8, avx2: true);

        var candidate = Assert.Single(advice.Faster, f => f.Quantization == ModelQuantization.Q4_K_M);
        Assert.DoesNotContain(advice.Faster, f => f.Quantization == ModelQuantization.Q8_0);
        Assert.Equal((double)QuantizationFootprint.Of(q8).BytesPerToken / q4.BytesPerToken, advice.Speedup(candidate), 9);
        Assert.Equal(q8.TensorDataBytes - q4.TensorBytes, advice.FreedBytes(candidate));
        Assert.All(advice.Faster, f => Assert.True(advice.Speedup(f) >= QuantizationAdvice.MinSpeedup));
        var line = advice.Describe("Q8_0", readBytesPerSecond: 2e9);
        Assert.Contains("Q4_K_M " + advice.Speedup(candidate).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "x", line, StringComparison.Ordinal);
        Assert.Contains("at this core's 2.00 GB/s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void For_Q4_K_M_NoneIsMeasurablyFaster()
    {
        var advice = QuantizationAdvice.For(Write(ModelQuantization.Q4_K_M), avx2: true);

        Assert.Empty(advice.Faster);
        Assert.Contains("no smaller quantization", advice.Describe("Q4_K_M", null), StringComparison.Ordinal);
    }

    [Fact]
    public void For_WithoutAvx2_AdvisesNothing()
    {
        Assert.Empty(QuantizationAdvice.For(Write(ModelQuantization.F16), avx2: false).Faster);
    }

    private GgufFile Write(ModelQuantization quant) => GgufReader.Read(WritePath(quant));

    private string WritePath(ModelQuantization quant)
    {
        var path = _temp.File($"{quant.Name}.gguf");
        if (!File.Exists(path))
        {
            ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = quant });
        }

        return path;
    }
}
