using System.Runtime.CompilerServices;
using System.Text;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.AI;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using ChatRole = Frugal.Inference.ChatRole;

namespace Frugal.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over Frugal's scheduler: in-process chat with the
/// model's own chat template, the same fair queue as HTTP callers, and usage reported (prompt and
/// completion tokens) in both streaming and non-streaming answers.
/// </summary>
/// <remarks>
/// Callers are told apart for fairness by <see cref="UserProperty"/> in
/// <see cref="ChatOptions.AdditionalProperties"/> (default <see cref="DefaultUserId"/>). A conversation is
/// recognised by <see cref="ChatOptions.ConversationId"/> when given, else by its opening messages, so its
/// next turn evaluates only its new tokens (with <see cref="DependencyInjection.SessionStateOptions.Directory"/>
/// set, even after other conversations have used the context). When
/// <see cref="ChatOptions.MaxOutputTokens"/> is not set the reply may be <see cref="DefaultMaxOutputTokens"/> long.
/// </remarks>
public sealed class FrugalChatClient : IChatClient
{
    /// <summary>The fairness key of callers that name none.</summary>
    public const string DefaultUserId = "in-process";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key that names the caller for fairness.</summary>
    public const string UserProperty = "frugal.user";

    /// <summary>
    /// The <see cref="ChatResponse.AdditionalProperties"/> key (and the last streamed update's) set to true when
    /// the reply came from the response cache.
    /// </summary>
    public const string CachedProperty = "frugal.cached";

    // Keeps this client's conversation keys apart from the HTTP APIs' ones.
    private const string SessionScope = "ai";

    /// <summary>Reply budget when the options give none.</summary>
    public const int DefaultMaxOutputTokens = 256;

    private readonly IGenerationScheduler _scheduler;
    private readonly EngineReadiness _readiness;

    /// <summary>Creates a client that schedules on <paramref name="scheduler"/> the engine held by <paramref name="readiness"/>.</summary>
    public FrugalChatClient(IGenerationScheduler scheduler, EngineReadiness readiness)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(readiness);
        _scheduler = scheduler;
        _readiness = readiness;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var user = UserOf(options);
        var request = ToRequest(messages, options, user);
        var text = new StringBuilder();
        GenerationStats? stats = null;
        await foreach (var update in _scheduler.RunAsync(user, request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Generation is { } generation)
            {
                text.Append(generation.Text);
                stats = generation.Completed ?? stats;
            }
        }

        // A cancelled generation ends quietly with what it had; the caller asked to stop, so say so.
        cancellationToken.ThrowIfCancellationRequested();
        var completed = stats ?? throw new InvalidOperationException("The generation ended without its figures.");
        return new ChatResponse(new ChatMessage(AIChatRole.Assistant, text.ToString()))
        {
            ResponseId = NewResponseId(),
            ModelId = ModelId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ToFinishReason(completed.FinishReason),
            Usage = ToUsage(completed),
            AdditionalProperties = Notes(completed),
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ToRequest(messages, options, UserOf(options));
        var responseId = NewResponseId();
        var created = DateTimeOffset.UtcNow;
        var modelId = ModelId;
        await foreach (var update in _scheduler.RunAsync(UserOf(options), request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Generation is not { } generation)
            {
                continue;
            }

            if (generation.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, generation.Text)
                {
                    ResponseId = responseId, MessageId = responseId, ModelId = modelId, CreatedAt = created,
                };
            }

            if (generation.Completed is { } stats)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(AIChatRole.Assistant, [new UsageContent(ToUsage(stats))])
                {
                    ResponseId = responseId, MessageId = responseId, ModelId = modelId, CreatedAt = created,
                    FinishReason = ToFinishReason(stats.FinishReason),
                    AdditionalProperties = Notes(stats),
                };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("frugal", null, ModelId)
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The scheduler and the engine belong to the container, not to this client.
    }

    private string? ModelId => _readiness.Engine?.Model is { } model ? Path.GetFileNameWithoutExtension(model.Path) : null;

    private static string NewResponseId() => $"frugal-{Guid.NewGuid():N}";

    private static string UserOf(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(UserProperty, out var user) == true && user is string { Length: > 0 } name ? name : DefaultUserId;

    private static GenerationRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string user)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = new List<ChatTurn>();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            turns.Add(new ChatTurn(ChatRole.System, instructions));
        }

        foreach (var message in messages)
        {
            turns.Add(new ChatTurn(ToRole(message.Role), message.Text));
        }

        if (turns.Count == 0)
        {
            throw new ArgumentException("At least one message is needed.", nameof(messages));
        }

        var sampling = SamplingOptions.Default;
        if (options?.Temperature is { } temperature)
        {
            sampling = sampling with { Temperature = temperature };
        }

        if (options?.TopP is { } topP)
        {
            sampling = sampling with { TopP = topP };
        }

        if (options?.TopK is { } topK)
        {
            sampling = sampling with { TopK = topK };
        }

        if (options?.Seed is { } seed)
        {
            sampling = sampling with { Seed = unchecked((uint)(seed ^ (seed >> 32))) };
        }

        if (options?.MaxOutputTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxOutputTokens, "MaxOutputTokens must be at least 1.");
        }

        return new GenerationRequest
        {
            Messages = turns,
            MaxTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens,
            Sampling = sampling,
            Stop = options?.StopSequences?.ToArray() ?? [],
            // The conversation's KV state is kept under this key when another conversation takes the context.
            SessionKey = options?.ConversationId is { Length: > 0 } conversation
                ? ConversationKey.ById(SessionScope, user, conversation)
                : ConversationKey.ByOpening(SessionScope, user, turns),
        };
    }

    private static ChatRole ToRole(AIChatRole role) =>
        role == AIChatRole.System ? ChatRole.System
        : role == AIChatRole.User ? ChatRole.User
        : role == AIChatRole.Assistant ? ChatRole.Assistant
        : throw new NotSupportedException($"Messages of role '{role}' are not supported; this model takes system, user and assistant text.");

    private static AdditionalPropertiesDictionary? Notes(GenerationStats stats) =>
        stats.Cached ? new AdditionalPropertiesDictionary { [CachedProperty] = true } : null;

    private static ChatFinishReason ToFinishReason(FinishReason reason) =>
        reason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static UsageDetails ToUsage(GenerationStats stats) => new()
    {
        InputTokenCount = stats.PromptTokens,
        OutputTokenCount = stats.CompletionTokens,
        TotalTokenCount = stats.PromptTokens + stats.CompletionTokens,
        CachedInputTokenCount = stats.CachedPromptTokens,
    };
}
