using System.Net;
using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Frugal.Tests.Endpoints;

/// <summary>What one user may hold of a server shared by all: places in line, requests and tokens per minute.</summary>
public sealed class UserLimitsTests
{
    private const string Request = """{"max_tokens":3,"messages":[{"role":"user","content":"Hi"}]}""";
    private const string StreamedRequest = """{"stream":true,"max_tokens":3,"messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task Post_OneUserFloods_OtherUserIsServedAndTheFlooderGets429WithRetryAfter()
    {
        await using var server = await TinyServer.StartAsync(o => QueueLimitTests.HoldingReader(o.Scheduler)); // the default limits: 4 waiting per user of a queue of 16
        var scheduler = server.App.Services.GetRequiredService<IGenerationScheduler>();
        await using var holder = await HoldWorkerAsync(scheduler);
        using var alice = server.CreateClient();

        // 17 requests at once: more than the whole queue. All but alice's share of places are answered at once.
        var flood = Enumerable.Range(0, 17).Select(_ => alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request))).ToList();
        var answered = new List<HttpResponseMessage>();
        while (answered.Count < 17 - SchedulerOptions.DefaultMaxQueuedPerUser)
        {
            var done = await Task.WhenAny(flood);
            flood.Remove(done);
            answered.Add(await done);
        }

        foreach (var refused in answered)
        {
            await ErrorAssert.IsErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        Assert.Equal(SchedulerOptions.DefaultMaxQueuedPerUser, scheduler.QueueDepth);

        // bob is not refused: he waits, right after alice's first, and is answered once the worker frees up.
        using var bob = server.CreateClient(server.BobKey);
        using var bobRequest = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = ChatCompletionsApiTests.Json(StreamedRequest) };
        using var bobResponse = await bob.SendAsync(bobRequest, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, bobResponse.StatusCode);
        await using var stream = await bobResponse.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        Assert.Equal(": queued 2", await reader.ReadLineAsync(TestContext.Current.CancellationToken));

        await holder.DisposeAsync();
        Assert.EndsWith("data: [DONE]\n\n", await reader.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        foreach (var waited in await Task.WhenAll(flood))
        {
            Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
            waited.Dispose();
        }
    }

    [Fact]
    public async Task Post_PastTheRequestRate_Answers429WithRetryAfterForThatUserOnly()
    {
        await using var server = await TinyServer.StartAsync(o => (o.RateLimits.RequestsPerMinute, o.RateLimits.RequestBurst) = (1, 2));
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);

        for (var i = 0; i < 2; i++)
        {
            using var served = await alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var refused = await alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        var error = await ErrorAssert.IsErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Contains("requests a minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        // The sessions API counts against the same rate, and a refused message is not stored.
        var session = await alice.CreateSessionAsync();
        using var refusedMessage = await alice.PostMessageAsync(session, """{"content":"Hello","max_tokens":3}""");
        await ErrorAssert.IsErrorAsync(refusedMessage, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.NotNull(refusedMessage.Headers.RetryAfter?.Delta);
        Assert.Empty(await alice.GetMessagesAsync(session));

        using var bobServed = await bob.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, bobServed.StatusCode);
    }

    [Fact]
    public async Task CountTokens_PastTheRequestRate_Answers429InAnthropicsShapeForThatUserOnly()
    {
        await using var server = await TinyServer.StartAsync(o => (o.RateLimits.RequestsPerMinute, o.RateLimits.RequestBurst) = (1, 2));
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);
        const string count = """{"messages":[{"role":"user","content":"Hi"}]}""";

        for (var i = 0; i < 2; i++)
        {
            using var served = await alice.PostAsync("v1/messages/count_tokens", new StringContent(count, System.Text.Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var refused = await alice.PostAsync("v1/messages/count_tokens", new StringContent(count, System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        using var refusedChat = await alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        using var bobServed = await bob.PostAsync("v1/messages/count_tokens", new StringContent(count, System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("rate_limit_error", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedChat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bobServed.StatusCode);
    }

    [Fact]
    public async Task Post_TokensOfTheMinuteSpent_Answers429ForThatUserOnly()
    {
        await using var server = await TinyServer.StartAsync(o => (o.RateLimits.TokensPerMinute, o.RateLimits.TokenBurst) = (1, 5));
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);

        // The first request is admitted with a full balance and costs its prompt and reply (far more than 5 tokens).
        using var served = await alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        using var refused = await alice.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        var error = await ErrorAssert.IsErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Contains("tokens a minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));

        using var bobServed = await bob.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(Request), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, bobServed.StatusCode);
    }

    // A generation whose consumer stops pulling after its first step holds the one worker until disposed.
    private static async Task<IAsyncEnumerator<ChatUpdate>> HoldWorkerAsync(IGenerationScheduler scheduler)
    {
        var holder = scheduler.RunAsync("holder", new GenerationRequest
        {
            Messages = [new ChatTurn(ChatRole.User, "Hold on.")],
            MaxTokens = 400,
            StopAtEndOfSequence = false,
        }).GetAsyncEnumerator();
        Assert.True(await holder.MoveNextAsync());
        return holder;
    }
}
