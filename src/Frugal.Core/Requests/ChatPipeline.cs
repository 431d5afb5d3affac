using System.Runtime.CompilerServices;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Scheduling;
using Microsoft.Extensions.Options;

namespace Frugal.Requests;

/// <summary>
/// The one way a chat request reaches the model, for every caller (the OpenAI API, the sessions API, the
/// in-process <c>IChatClient</c>, the CLI): <see cref="ChatRequestValidator"/> checks it, the
/// <see cref="UserRateLimiter"/> counts it against its user's rates, the <see cref="MemoryGate"/> admits it by memory, <see cref="HistoryWindow"/> chooses its history, the
/// <see cref="IGenerationScheduler"/> queues it fairly (and applies the per-user limits), and the engine
/// generates it; the caller gets one stream of <see cref="ChatUpdate"/>s.
/// </summary>
public sealed class ChatPipeline
{
    private readonly IGenerationScheduler _scheduler;
    private readonly EngineReadiness _readiness;
    private readonly MemoryGate? _memory;
    private readonly UserRateLimiter? _rateLimits;
    private readonly int _maxQueueDepth;

    /// <summary>Creates the pipeline over <paramref name="scheduler"/> and the engine <paramref name="readiness"/> holds.</summary>
    /// <param name="scheduler">Queues and runs generations.</param>
    /// <param name="readiness">Holds the engine (requests fail with <see cref="EngineNotReadyException"/> while it loads).</param>
    /// <param name="schedulerOptions">The scheduler's limits (the queue a memory restriction shortens); null: the defaults.</param>
    /// <param name="memory">The memory governor's gate, or null for none.</param>
    /// <param name="rateLimits">Each user's request and token rates, or null for none.</param>
    public ChatPipeline(
        IGenerationScheduler scheduler, EngineReadiness readiness, IOptions<SchedulerOptions>? schedulerOptions = null, MemoryGate? memory = null,
        UserRateLimiter? rateLimits = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(readiness);
        _scheduler = scheduler;
        _readiness = readiness;
        _memory = memory;
        _rateLimits = rateLimits;
        _maxQueueDepth = schedulerOptions?.Value.MaxQueueDepth ?? SchedulerOptions.DefaultMaxQueueDepth;
    }

    /// <summary>A pipeline of its own over an engine already loaded (the CLI, tests): one fair queue, no memory governor.</summary>
    public static ChatPipeline ForEngine(IInferenceEngine engine)
    {
        var options = Options.Create(new SchedulerOptions());
        return new ChatPipeline(new GenerationScheduler(engine, options), new EngineReadiness(engine), options);
    }

    /// <summary>The loaded engine; throws <see cref="EngineNotReadyException"/> while it loads.</summary>
    public IInferenceEngine Engine => _readiness.GetEngine();

    /// <summary>
    /// The tokens of the prompt <paramref name="conversation"/> makes (its chat template included), as a request of
    /// <paramref name="userId"/>: counted against the user's request rate like a generation (throwing
    /// <see cref="UserLimitException"/>), so that counting cannot be used to flood the box; it charges no tokens, as it
    /// generates none.
    /// </summary>
    public int CountPromptTokens(string userId, IReadOnlyList<ChatTurn> conversation)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(conversation);
        _rateLimits?.Admit(userId);
        return Engine.CountPromptTokens(conversation);
    }

    /// <summary>
    /// Counts <paramref name="request"/> against its user's rates, validates it, admits it by memory and chooses its
    /// history at once (throwing <see cref="UserLimitException"/>, <see cref="ChatRequestException"/>,
    /// <see cref="EngineNotReadyException"/> or <see cref="QueueFullException"/>), then returns its stream: the first
    /// <c>MoveNextAsync</c> enters the queue (or throws <see cref="QueueFullException"/> or, past its user's places in
    /// line, <see cref="UserLimitException"/>) and yields <see cref="ChatUpdate.Admitted"/>; then queue positions, text
    /// and the figures. Cancelling leaves the queue at once, or stops the generation within one token.
    /// </summary>
    public IAsyncEnumerable<ChatUpdate> RunAsync(string userId, ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(request);
        _rateLimits?.Admit(userId); // before any work is done for it: a flood costs a look-up a request
        var engine = _readiness.GetEngine();
        var context = ChatRequestValidator.ContextFor(request, engine.ContextSize);
        var budget = ChatRequestValidator.Check(request, context, engine.Model.VocabSize);
        var admission = _memory?.Admit(engine.Model, request.Messages.Sum(m => (long)m.Content.Length), budget, _scheduler.QueueDepth, _maxQueueDepth);
        var window = HistoryWindow.Select(engine, request, budget, admission?.Restrictions.HistoryExchanges);
        var generation = ChatRequestValidator.Validate(request with { Messages = window.Messages, MessageTokens = null }, context, window.PromptTokens);
        MemoryNotice? notice = null;
        if (admission is not null)
        {
            (generation, notice) = MemoryGate.Apply(generation, admission.Restrictions, admission.Status.Level, window.DroppedMessages);
        }

        var admitted = new ChatAdmission { Memory = notice, PromptTokens = window.PromptTokens, OmittedMessages = window.OmittedMessages };
        return RunAdmittedAsync(userId, generation with { Owner = userId }, admitted, cancellationToken);
    }

    private async IAsyncEnumerable<ChatUpdate> RunAdmittedAsync(
        string userId, GenerationRequest generation, ChatAdmission admitted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var running = _memory?.Track(cancellationToken);
        try
        {
            await foreach (var update in _scheduler.RunAsync(userId, generation, running?.Token ?? cancellationToken).ConfigureAwait(false))
            {
                if (update.Completed is { } stats)
                {
                    _rateLimits?.Charge(userId, WorkTokens(stats));
                }

                yield return update.Admitted is null ? update : update with { Admitted = admitted };
            }
        }
        finally
        {
            if (running is not null)
            {
                _memory!.Release(running);
            }
        }
    }

    // What the request cost the box: the prompt tokens evaluated (not those kept) and those generated; none from the cache.
    private static int WorkTokens(GenerationStats stats) =>
        stats.Cached ? 0 : Math.Max(0, stats.PromptTokens - stats.CachedPromptTokens) + stats.CompletionTokens;
}
