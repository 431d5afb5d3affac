using System.Text;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>The official OpenAI .NET client and Microsoft.Extensions.AI's OpenAI adapter against the real server, unchanged.</summary>
public sealed class OpenAIClientTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private ServerFixture Server => tiny.Server;

    private ChatClient CreateChatClient() => OfficialClient.Chat(Server);

    [Fact]
    public async Task CompleteChat_OfficialClient_ReturnsTextAndUsage()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 5, Temperature = 0f };

        ChatCompletion completion = await CreateChatClient().CompleteChatAsync([new UserChatMessage("Hello there.")], options, TestContext.Current.CancellationToken);

        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.Equal("tiny", completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 5);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.Contains(completion.FinishReason, new[] { OpenAI.Chat.ChatFinishReason.Stop, OpenAI.Chat.ChatFinishReason.Length });
    }

    [Fact]
    public async Task CompleteChatStreaming_OfficialClient_StreamsTextThenFinishAndUsage()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0f };
        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in CreateChatClient().CompleteChatStreamingAsync([new UserChatMessage("Hello there.")], options, TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        // The same greedy request, not streamed, gives the same text.
        ChatCompletion whole = await CreateChatClient().CompleteChatAsync([new UserChatMessage("Hello there.")], options, TestContext.Current.CancellationToken);
        Assert.NotNull(finish);
        Assert.NotNull(usage);
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponse_ExtensionsAIAdapter_ReturnsTextAndUsage()
    {
        using var client = CreateChatClient().AsIChatClient();

        var response = await client.GetResponseAsync("Hello there.", new ChatOptions { MaxOutputTokens = 4, Temperature = 0f },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Microsoft.Extensions.AI.ChatRole.Assistant, response.Messages[^1].Role);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 4);
    }

    [Fact]
    public async Task GetStreamingResponse_ExtensionsAIAdapter_StreamsTheSameTextAsNonStreaming()
    {
        using var client = CreateChatClient().AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 6, Temperature = 0f };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Tell me a story.", options, cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        var streamed = updates.ToChatResponse();
        var whole = await client.GetResponseAsync("Tell me a story.", options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(whole.Text, streamed.Text);
        Assert.NotNull(streamed.FinishReason);
    }
}
