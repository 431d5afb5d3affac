using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.Options;

namespace Frugal.Tests.Scheduling;

/// <summary>
/// What the scheduler tests on the real engine share: a scheduler whose readers hold their stream when they stop
/// pulling, greedy requests of a known length, and a stream started and then held.
/// </summary>
internal static class HeldStreams
{
    /// <summary>
    /// A scheduler on <paramref name="engine"/> in which a reader that stops pulling holds its stream: the reply
    /// buffer is full at once and never gives up, which is how these tests keep a generation running.
    /// </summary>
    public static GenerationScheduler CreateScheduler(
        IInferenceEngine engine,
        int maxQueueDepth = 16,
        int maxRunningPerUser = SchedulerOptions.DefaultMaxRunningPerUser,
        TimeProvider? timeProvider = null,
        Action<SchedulerOptions>? configure = null)
    {
        var options = new SchedulerOptions
        {
            MaxQueueDepth = maxQueueDepth,
            MaxRunningPerUser = maxRunningPerUser,
            ReplyBuffer = 1,
            SlowReaderTimeout = TimeSpan.FromHours(1),
        };
        configure?.Invoke(options);
        return new(engine, Options.Create(options), timeProvider: timeProvider);
    }

    /// <summary>Greedy, never stopping at end of sequence, so the length of each run is known.</summary>
    public static GenerationRequest Request(int maxTokens = 3) => new()
    {
        Messages = [new ChatTurn(ChatRole.User, "Hello there.")],
        MaxTokens = maxTokens,
        Sampling = SamplingOptions.Default with { Temperature = 0f },
        StopAtEndOfSequence = false,
    };

    /// <summary>A step of the running generation: neither the admission nor a queue position.</summary>
    public static bool Generating(ChatUpdate update) => update.Admitted is null && update.QueuePosition is null;

    /// <summary>Starts a long generation and stops pulling after its first step: it holds its stream until disposed.</summary>
    public static async Task<IAsyncEnumerator<ChatUpdate>> StartAsync(GenerationScheduler scheduler, string user)
    {
        var updates = scheduler.RunAsync(user, Request(400)).GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync());
        Assert.NotNull(updates.Current.Admitted);
        Assert.True(await updates.MoveNextAsync());
        Assert.True(Generating(updates.Current), "the request queued");
        return updates;
    }
}
