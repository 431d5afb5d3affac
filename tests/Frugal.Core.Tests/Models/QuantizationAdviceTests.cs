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

    [Fact]
    public void For_MeasuredRatesWhereTheKQuantsAreArithmeticBound_AdvisesNothing()
    {
        // The shape of what an AVX2 core with Frugal's Q8_0 kernel measured: the 4-bit type is not faster per token.
        var rates = new Dictionary<GgmlType, double> { [GgmlType.Q8_0] = 20.6e9, [GgmlType.Q6_K] = 13.2e9, [GgmlType.Q5_K] = 10.9e9, [GgmlType.Q4_K] = 12.8e9 };

        var advice = QuantizationAdvice.For(Write(ModelQuantization.Q8_0), rates);

        Assert.Empty(advice.Faster);
        Assert.Equal(["Q6_K", "Q5_K_M", "Q4_K_M"], advice.Considered.Select(f => f.Quantization!.ToString()));
        Assert.All(advice.Considered, f => Assert.InRange(advice.Speedup(f), 0.5, QuantizationAdvice.MinSpeedup));
        var line = advice.Describe("Q8_0", readBytesPerSecond: null);
        Assert.Contains("measured here, a matrix times a column: Q8_0 20.6 GB/s, Q6_K 13.2 GB/s, Q5_K 10.9 GB/s, Q4_K 12.8 GB/s", line, StringComparison.Ordinal);
        Assert.Contains("no smaller quantization is measured 1.25x faster here", line, StringComparison.Ordinal);
    }

    [Fact]
    public void For_EqualMeasuredRates_SpeedupIsTheRatioOfMatrixBytes()
    {
        var q8 = Write(ModelQuantization.Q8_0);
        var rates = QuantizationAdvice.TypesToMeasure(q8).ToDictionary(t => t, _ => 10e9);

        var advice = QuantizationAdvice.For(q8, rates);

        var q4 = Assert.Single(advice.Faster, f => f.Quantization == ModelQuantization.Q4_K_M);
        var expected = (double)QuantizationFootprint.Of(q8).BytesPerTokenByType.Values.Sum() / q4.BytesPerTokenByType.Values.Sum();
        Assert.Equal(expected, advice.Speedup(q4), 9);
        Assert.Equal(q4.BytesPerTokenByType.Values.Sum() / 10e9, advice.SecondsPerToken(q4)!.Value, 12);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Q4_K_M {expected:F2}x"), advice.Describe("Q8_0", null), StringComparison.Ordinal);
    }

    [Fact]
    public void For_AStepLongerThanTheMatrices_AddsTheRestToEveryCandidate()
    {
        var q8 = Write(ModelQuantization.Q8_0);
        var rates = QuantizationAdvice.TypesToMeasure(q8).ToDictionary(t => t, _ => 10e9);
        var matrices = QuantizationFootprint.Of(q8).BytesPerTokenByType.Values.Sum() / 10e9;
        var rest = matrices / 2;

        var advice = QuantizationAdvice.For(q8, rates, stepSeconds: matrices + rest);

        var q4 = Assert.Single(advice.Considered, f => f.Quantization == ModelQuantization.Q4_K_M);
        var q4Matrices = q4.BytesPerTokenByType.Values.Sum() / 10e9;
        Assert.Equal(rest, advice.RestSeconds!.Value, 12);
        Assert.Equal(matrices + rest, advice.SecondsPerToken(advice.Current)!.Value, 12);
        Assert.Equal(q4Matrices + rest, advice.SecondsPerToken(q4)!.Value, 12);
        Assert.Equal((matrices + rest) / (q4Matrices + rest), advice.Speedup(q4), 9);
        Assert.True(advice.Speedup(q4) < matrices / q4Matrices);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a decode step measured here takes {(matrices + rest) * 1000:F1} ms, {rest * 1000:F1} of them beyond the matrices"),
            advice.Describe("Q8_0", null), StringComparison.Ordinal);
    }

    [Fact]
    public void For_AStepShorterThanTheMatrices_ScalesEveryTypeAlike()
    {
        var q8 = Write(ModelQuantization.Q8_0);
        var rates = QuantizationAdvice.TypesToMeasure(q8).ToDictionary(t => t, _ => 10e9);
        var matrices = QuantizationFootprint.Of(q8).BytesPerTokenByType.Values.Sum() / 10e9;

        var advice = QuantizationAdvice.For(q8, rates, stepSeconds: matrices * 0.9);

        var q4 = Assert.Single(advice.Considered, f => f.Quantization == ModelQuantization.Q4_K_M);
        Assert.Equal(0, advice.RestSeconds);
        Assert.Equal(matrices * 0.9, advice.SecondsPerToken(advice.Current)!.Value, 12);
        Assert.Equal(q4.BytesPerTokenByType.Values.Sum() / 10e9 * 0.9, advice.SecondsPerToken(q4)!.Value, 12);
        Assert.Equal(QuantizationAdvice.For(q8, rates).Speedup(q4), advice.Speedup(q4), 9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void For_AStepThatIsNoTime_IsLeftOut(double step)
    {
        var q8 = Write(ModelQuantization.Q8_0);
        var rates = QuantizationAdvice.TypesToMeasure(q8).ToDictionary(t => t, _ => 10e9);

        var advice = QuantizationAdvice.For(q8, rates, step);

        Assert.Null(advice.StepSeconds);
        Assert.Null(advice.RestSeconds);
        Assert.DoesNotContain("decode step", advice.Describe("Q8_0", null), StringComparison.Ordinal);
    }

    [Fact]
    public void For_ARateMissing_LeavesOutTheCandidatesThatNeedIt()
    {
        var rates = new Dictionary<GgmlType, double> { [GgmlType.Q8_0] = 20e9, [GgmlType.Q6_K] = 20e9, [GgmlType.Q4_K] = 20e9 };

        var advice = QuantizationAdvice.For(Write(ModelQuantization.Q8_0), rates);

        Assert.DoesNotContain(advice.Considered, f => f.Quantization == ModelQuantization.Q5_K_M);
        Assert.Contains(advice.Considered, f => f.Quantization == ModelQuantization.Q4_K_M);
    }

    [Fact]
    public void TypesToMeasure_Q8_0File_ItsTypeAndEveryCandidatesMatrixTypes()
    {
        Assert.Equal(new HashSet<GgmlType> { GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q5_K, GgmlType.Q4_K },
            QuantizationAdvice.TypesToMeasure(Write(ModelQuantization.Q8_0)).ToHashSet());
    }

    [Fact]
    public void Of_BytesPerTokenByType_MatricesByTheirTypeWithoutTheVectors()
    {
        var file = Write(ModelQuantization.Q4_K_M);

        var footprint = QuantizationFootprint.Of(file);

        Assert.Equal(new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, footprint.BytesPerTokenByType.Keys.ToHashSet());
        var vectors = file.Tensors.Where(t => t.Dimensions.Count < 2).Sum(t => t.ByteSize);
        Assert.Equal(footprint.BytesPerToken - vectors, footprint.BytesPerTokenByType.Values.Sum());
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
