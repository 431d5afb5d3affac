using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Tests.Requests;

public sealed class ChatRequestValidatorTests
{
    private static readonly ChatRequest Hello = new() { Messages = [new ChatTurn(ChatRole.User, "hello")] };

    [Fact]
    public void Validate_NoMaxTokens_TakesTheDefaultNotTheRestOfTheContext()
    {
        var generation = ChatRequestValidator.Validate(Hello, contextSize: 2048, promptTokens: 10);

        Assert.Equal(ChatRequestValidator.DefaultMaxTokens, generation.MaxTokens);
    }

    [Fact]
    public void Validate_NoMaxTokensAndLittleRoom_TakesWhatTheContextLeaves()
    {
        Assert.Equal(12, ChatRequestValidator.Validate(Hello, contextSize: 512, promptTokens: 500).MaxTokens);
    }

    [Theory]
    [InlineData(1e-45)]
    [InlineData(0.0009)]
    public void Validate_TinyTemperature_IsGreedy(double temperature)
    {
        var generation = ChatRequestValidator.Validate(Hello with { Temperature = temperature }, contextSize: 512, promptTokens: 10);

        Assert.Equal(0f, generation.Sampling.Temperature);
        Assert.True(generation.Sampling.IsDeterministic);
    }

    [Fact]
    public void Validate_MaxTokensBeyondRoom_ThrowsContextLengthExceededNamingTheField()
    {
        var error = Assert.Throws<ChatRequestException>(() =>
            ChatRequestValidator.Validate(Hello with { MaxTokens = 100 }, contextSize: 512, promptTokens: 500));

        Assert.Equal("context_length_exceeded", error.Code);
        Assert.Equal("messages", error.Param);
    }
}
