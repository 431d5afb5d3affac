using System.Net;
using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Frugal.Tests.Endpoints;

public sealed class QueueLimitTests
{
    private const string Request = """{"stream":true,"max_tokens":3,"messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task Post_QueueFull_Answers503WithRetryAfterWhileTheQueuedOneSeesItsPlace()
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Scheduler.MaxQueueDepth = 1;
            HoldingReader(o.Scheduler);
        });
        var scheduler = server.App.Services.GetRequiredService<IGenerationScheduler>();

        // Hold the one worker: a generation whose consumer stops pulling after its first step.
        await using var holder = scheduler.RunAsync("holder", new GenerationRequest
        {
            Messages = [new ChatTurn(ChatRole.User, "Hold on.")],
            MaxTokens = 400,
            StopAtEndOfSequence = false,
        }, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await holder.MoveNextAsync());

        // Fill the queue (depth 1) with bob's streamed request; its first event says where it waits.
        using var bobClient = server.CreateClient(server.BobKey);
        using var waitingRequest = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = ChatCompletionsApiTests.Json(Request) };
        using var waiting = await bobClient.SendAsync(waitingRequest, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var stream = await waiting.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        Assert.Equal(": queued 1", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, scheduler.QueueDepth);

        using var aliceClient = server.CreateClient();
        using var refused = await aliceClient.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "queue_full");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));

        // Once the worker is free the queued request runs to the end.
        await holder.DisposeAsync();
        var rest = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    // A reader that stops pulling holds its worker (the holder here does): the buffer is full at once and never gives up.
    internal static void HoldingReader(SchedulerOptions scheduler)
    {
        scheduler.ReplyBuffer = 1;
        scheduler.SlowReaderTimeout = TimeSpan.FromHours(1);
    }
}
