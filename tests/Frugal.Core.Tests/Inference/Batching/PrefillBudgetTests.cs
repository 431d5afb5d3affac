using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference.Batching;

/// <summary>How many prompt tokens a step carries beside running replies: the replies' time in hand, spent on prompt tokens.</summary>
public sealed class PrefillBudgetTests
{
    [Theory]
    [InlineData(0.500, 64)] // 500 ms in hand at 5 ms a token: 100 tokens fit, no more than the chunk
    [InlineData(1.000, 128)]
    [InlineData(0.320, 64)] // exactly the chunk
    public void Tokens_MarginBeyondTheChunk_TheChunk(double margin, int chunk)
    {
        Assert.Equal(chunk, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(5), chunk));
    }

    [Theory]
    [InlineData(0.100, 20)]
    [InlineData(0.059, 11)] // rounded down: 11.8 tokens fit
    [InlineData(0.200, 40)]
    public void Tokens_SmallerMargin_AsManyTokensAsFitInIt(double margin, int tokens)
    {
        Assert.Equal(tokens, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(5), 64));
    }

    [Theory]
    [InlineData(0.010)] // half a token
    [InlineData(0)]
    [InlineData(-2.5)] // a reply already behind the floor
    public void Tokens_NoMarginLeft_NoPromptTokens(double margin)
    {
        Assert.Equal(0, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(20), 64));
    }

    [Fact]
    public void Tokens_NoPromptTokenCostMeasuredYet_TheChunk()
    {
        Assert.Equal(64, PrefillBudget.Tokens(0.001, null, 64));
    }

    [Fact]
    public void Tokens_NoReplyDecoding_TheChunk()
    {
        Assert.Equal(128, PrefillBudget.Tokens(double.PositiveInfinity, TimeSpan.FromMilliseconds(5), 128));
    }
}
