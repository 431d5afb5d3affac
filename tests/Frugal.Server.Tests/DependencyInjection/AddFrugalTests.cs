using System.Text;
using Frugal.AI;
using Frugal.DependencyInjection;
using Frugal.Inference;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Frugal.Tests.DependencyInjection;

/// <summary>The model in-process through <c>AddFrugal</c>: the real engine, no HTTP hop.</summary>
public sealed class AddFrugalTests
{
    [Fact]
    public async Task AddFrugal_ChatClient_AnswersWithUsageStreamingAndNot()
    {
        using var host = await StartAsync(o =>
        {
            o.Model.Path = TinyServer.ModelPath;
            o.Model.ContextSize = 512;
        });
        var chat = host.Services.GetRequiredService<IChatClient>();
        var options = new ChatOptions { MaxOutputTokens = 5, Temperature = 0f };

        var response = await chat.GetResponseAsync("Hello there.", options, cancellationToken: TestContext.Current.CancellationToken);
        var streamed = new StringBuilder();
        UsageDetails? streamedUsage = null;
        await foreach (var update in chat.GetStreamingResponseAsync("Hello there.", options, cancellationToken: TestContext.Current.CancellationToken))
        {
            streamed.Append(update.Text);
            streamedUsage ??= update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
        }

        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 5);
        Assert.NotNull(response.FinishReason);
        Assert.Equal(response.Text, streamed.ToString());
        Assert.Equal(response.Usage.OutputTokenCount, streamedUsage?.OutputTokenCount);
        Assert.Equal("tiny", chat.GetService<ChatClientMetadata>()?.DefaultModelId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddFrugal_FollowUpAfterAnotherConversation_ReusesItsStateOnlyWithAStateDirectory(bool keepStates)
    {
        var directory = Directory.CreateTempSubdirectory("frugal-ai-state-").FullName;
        try
        {
            using var host = await StartAsync(o =>
            {
                o.Model.Path = TinyServer.ModelPath;
                o.Model.ContextSize = 512;
                o.SessionState.Directory = keepStates ? directory : null;
            });
            var chat = host.Services.GetRequiredService<IChatClient>();
            var a = new ChatOptions { MaxOutputTokens = 4, Temperature = 0f, ConversationId = "conversation-a" };
            var b = new ChatOptions { MaxOutputTokens = 4, Temperature = 0f, ConversationId = "conversation-b" };
            List<ChatMessage> history = [new(Microsoft.Extensions.AI.ChatRole.User, "Tell me about the river that runs past the old stone bridge, please.")];

            var first = await chat.GetResponseAsync(history, a, TestContext.Current.CancellationToken);
            await chat.GetResponseAsync("Something else entirely: how do bakers open their doors?", b, cancellationToken: TestContext.Current.CancellationToken);
            history.AddRange(first.Messages);
            history.Add(new(Microsoft.Extensions.AI.ChatRole.User, "And then?"));
            var followUp = await chat.GetResponseAsync(history, a, TestContext.Current.CancellationToken);

            // Conversation b's prompt shares only the template's opening with a's: what is kept beyond it came from a's saved state.
            var opening = 8;
            if (keepStates)
            {
                Assert.True(followUp.Usage?.CachedInputTokenCount >= first.Usage!.InputTokenCount - 1,
                    $"kept {followUp.Usage?.CachedInputTokenCount} of a first prompt of {first.Usage?.InputTokenCount}");
                Assert.NotEmpty(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories));
            }
            else
            {
                Assert.InRange(followUp.Usage?.CachedInputTokenCount ?? -1, 0, opening);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddFrugal_SameDeterministicRequestTwice_SecondFromTheResponseCacheUnlessTurnedOff(bool cacheOn)
    {
        using var host = await StartAsync(o =>
        {
            o.Model.Path = TinyServer.ModelPath;
            o.Model.ContextSize = 512;
            o.ResponseCache.MaxBytes = cacheOn ? ByteSize.FromMebibytes(1) : ByteSize.Zero;
        });
        var chat = host.Services.GetRequiredService<IChatClient>();
        var options = new ChatOptions { MaxOutputTokens = 5, Temperature = 0f };
        var question = "Is this cached? " + Guid.NewGuid().ToString("N");

        var first = await chat.GetResponseAsync(question, options, cancellationToken: TestContext.Current.CancellationToken);
        var second = await chat.GetResponseAsync(question, options, cancellationToken: TestContext.Current.CancellationToken);
        object? streamedCached = null;
        await foreach (var update in chat.GetStreamingResponseAsync(question, options, cancellationToken: TestContext.Current.CancellationToken))
        {
            streamedCached ??= update.AdditionalProperties?.GetValueOrDefault(FrugalChatClient.CachedProperty);
        }

        Assert.Null(first.AdditionalProperties?.GetValueOrDefault(FrugalChatClient.CachedProperty));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(cacheOn ? true : null, second.AdditionalProperties?.GetValueOrDefault(FrugalChatClient.CachedProperty));
        Assert.Equal(cacheOn ? true : null, streamedCached);
    }

    [Fact]
    public async Task AddFrugal_CancelledWhileGenerating_Throws()
    {
        using var host = await StartAsync(o => o.Model.Path = TinyServer.ModelPath);
        var chat = host.Services.GetRequiredService<IChatClient>();
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync("Go on.", new ChatOptions { MaxOutputTokens = 300 }, cancel.Token))
            {
                await cancel.CancelAsync();
            }
        });
    }

    [Fact]
    public async Task AddFrugal_NoModelPath_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFrugal(_ => { });
        using var host = builder.Build();

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<IHost> StartAsync(Action<FrugalOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFrugal(configure);
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<EngineReadiness>().WhenLoaded;
        return host;
    }
}
