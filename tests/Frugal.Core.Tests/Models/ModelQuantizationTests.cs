using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>The weight types of each file type, as llama.cpp's quantizer picks them for a llama model.</summary>
public sealed class ModelQuantizationTests
{
    private const int Layers = 22; // TinyLlama

    [Theory]
    [InlineData("q4_0", "Q4_0", 2u)]
    [InlineData("q4_k_m", "Q4_K_M", 15u)]
    [InlineData("q5_k_m", "Q5_K_M", 17u)]
    [InlineData("q6_k", "Q6_K", 18u)]
    [InlineData("q8_0", "Q8_0", 7u)]
    [InlineData("F16", "F16", 1u)]
    public void FromName_KnownName_HasLlamaCppsFileType(string name, string llamaName, uint fileType)
    {
        var quant = ModelQuantization.FromName(name);

        Assert.NotNull(quant);
        Assert.Equal(llamaName, quant.ToString());
        Assert.Equal(fileType, quant.FileType);
        Assert.Equal(llamaName, LlamaFileTypes.Name(quant.FileType));
    }

    [Fact]
    public void FromName_Unknown_IsNull() => Assert.Null(ModelQuantization.FromName("q3_k_s"));

    [Fact]
    public void TypeOf_Q4KM_GivesQ6KToAttentionValueAndFeedForwardDownOfTheChosenLayers()
    {
        var quant = ModelQuantization.Q4_K_M;

        var more = Enumerable.Range(0, Layers).Where(l => quant.TypeOf(WeightRole.AttentionValue, l, Layers, 2048) == GgmlType.Q6_K).ToArray();
        var down = Enumerable.Range(0, Layers).Where(l => quant.TypeOf(WeightRole.FeedForwardDown, l, Layers, 5632) == GgmlType.Q6_K).ToArray();

        // The first and last eighth (layers 0-1, 19-21) and every third layer between.
        Assert.Equal([0, 1, 4, 7, 10, 13, 16, 19, 20, 21], more);
        Assert.Equal(more, down);
        Assert.Equal(GgmlType.Q4_K, quant.TypeOf(WeightRole.AttentionValue, 2, Layers, 2048));
        Assert.Equal(GgmlType.Q4_K, quant.TypeOf(WeightRole.Other, 0, Layers, 2048));
        Assert.Equal(GgmlType.Q4_K, quant.TypeOf(WeightRole.TokenEmbedding, 0, Layers, 2048));
        Assert.Equal(GgmlType.Q6_K, quant.TypeOf(WeightRole.Output, 0, Layers, 2048));
    }

    [Theory]
    [InlineData("q5_k_m", GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q6_K)]
    [InlineData("q6_k", GgmlType.Q6_K, GgmlType.Q6_K, GgmlType.Q6_K)]
    [InlineData("q4_0", GgmlType.Q4_0, GgmlType.Q4_0, GgmlType.Q6_K)]
    [InlineData("q8_0", GgmlType.Q8_0, GgmlType.Q8_0, GgmlType.Q8_0)]
    [InlineData("f16", GgmlType.F16, GgmlType.F16, GgmlType.F16)]
    public void TypeOf_OtherFileTypes_BaseFirstLayerAndOutput(string name, GgmlType other, GgmlType firstDown, GgmlType output)
    {
        var quant = ModelQuantization.FromName(name)!;

        Assert.Equal(other, quant.TypeOf(WeightRole.Other, 0, Layers, 2048));
        Assert.Equal(firstDown, quant.TypeOf(WeightRole.FeedForwardDown, 0, Layers, 5632));
        Assert.Equal(output, quant.TypeOf(WeightRole.Output, 0, Layers, 2048));
    }

    [Theory]
    [InlineData("q4_k_m", GgmlType.Q5_0)]
    [InlineData("q5_k_m", GgmlType.Q5_1)]
    [InlineData("q6_k", GgmlType.Q8_0)]
    public void TypeOf_RowNotWholeSuperBlocks_FallsBackToA32ElementType(string name, GgmlType fallback)
    {
        var quant = ModelQuantization.FromName(name)!;

        Assert.Equal(fallback, quant.TypeOf(WeightRole.Other, 0, Layers, 64));
        Assert.Equal(GgmlType.Q8_0, quant.TypeOf(WeightRole.Output, 0, Layers, 64));
        Assert.Equal(GgmlType.F16, quant.TypeOf(WeightRole.Other, 0, Layers, 48));
    }
}
