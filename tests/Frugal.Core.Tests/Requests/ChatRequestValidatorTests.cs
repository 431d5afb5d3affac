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

    [Theory]
    [InlineData(-1)]
    [InlineData(100)]
    public void Check_RawPromptTokenOutsideTheVocabulary_ThrowsNamingThePrompt(int id)
    {
        var request = ChatRequest.Completion(RawPrompt.FromTokens([1, id])) with { Names = new ChatRequestNames("max_tokens", "prompt") };

        var error = Assert.Throws<ChatRequestException>(() => ChatRequestValidator.Check(request, contextSize: 512, vocabularySize: 100));

        Assert.Equal("prompt", error.Param);
        Assert.Contains("at 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RawPrompt_CarriesItIntoTheGeneration()
    {
        var prompt = RawPrompt.FromText("Once upon");

        var generation = ChatRequestValidator.Validate(ChatRequest.Completion(prompt), contextSize: 512, promptTokens: 3);

        Assert.Same(prompt, generation.Raw);
        Assert.Equal("Once upon", Assert.Single(generation.Messages).Content);
    }

    [Fact]
    public void Validate_PromptOfNoTokens_ThrowsNamingTheField()
    {
        var error = Assert.Throws<ChatRequestException>(() =>
            ChatRequestValidator.Validate(ChatRequest.Completion(RawPrompt.FromText("")), contextSize: 512, promptTokens: 0));

        Assert.Equal("messages", error.Param);
    }
}
