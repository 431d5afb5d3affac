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
        Assert.Equal(chunk, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(5), chunk, remaining: 500));
    }

    [Theory]
    [InlineData(0.100, 20)]
    [InlineData(0.099, 19)] // rounded down: 19.8 tokens fit
    [InlineData(0.200, 40)]
    public void Tokens_SmallerMargin_AsManyTokensAsFitInIt(double margin, int tokens)
    {
        Assert.Equal(tokens, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(5), 64, remaining: 500));
    }

    [Theory]
    [InlineData(0.079, 64)] // 15.8 tokens fit: fewer than a quarter of the chunk
    [InlineData(0.040, 64)] // 8
    [InlineData(0.0051, 4)] // 1 fits, but the chunk's quarter is 1: it goes
    public void Tokens_FewerThanAQuarterOfTheChunkFit_NoneUntilMoreDo(double margin, int chunk)
    {
        var tokens = PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(5), chunk, remaining: 500);

        Assert.Equal(chunk == 4 ? 1 : 0, tokens);
        Assert.Equal(16, PrefillBudget.Tokens(0.0805, TimeSpan.FromMilliseconds(5), 64, remaining: 500)); // the quarter itself
    }

    [Theory]
    [InlineData(5, 5)] // the prompt's last 5 tokens fit: they go, though fewer than the quarter
    [InlineData(12, 8)] // 8 fit, 12 are left: wait for more
    public void Tokens_ThePromptsLastFewTokens_GoWhenTheyAllFit(int remaining, int fitting)
    {
        var tokens = PrefillBudget.Tokens((fitting * 0.005) + 0.001, TimeSpan.FromMilliseconds(5), 64, remaining);

        Assert.Equal(fitting >= remaining ? fitting : 0, tokens);
    }

    [Theory]
    [InlineData(0.010)] // half a token
    [InlineData(0)]
    [InlineData(-2.5)] // a reply already behind the floor
    public void Tokens_NoMarginLeft_NoPromptTokens(double margin)
    {
        Assert.Equal(0, PrefillBudget.Tokens(margin, TimeSpan.FromMilliseconds(20), 64, remaining: 500));
    }

    [Fact]
    public void Tokens_NoPromptTokenCostMeasuredYet_TheChunk()
    {
        Assert.Equal(64, PrefillBudget.Tokens(0.001, null, 64, remaining: 500));
    }

    [Fact]
    public void Tokens_NoReplyDecoding_TheChunk()
    {
        Assert.Equal(128, PrefillBudget.Tokens(double.PositiveInfinity, TimeSpan.FromMilliseconds(5), 128, remaining: 500));
    }
}
