using System.Runtime.CompilerServices;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Microsoft.Extensions.AI;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using ChatRole = Frugal.Inference.ChatRole;

namespace Frugal.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over Frugal's <see cref="ChatPipeline"/>: in-process chat with the
/// model's own chat template, the same fair queue as HTTP callers, and usage reported (prompt and
/// completion tokens) in both streaming and non-streaming answers.
/// </summary>
/// <remarks>
/// Callers are told apart for fairness by <see cref="UserProperty"/> in
/// <see cref="ChatOptions.AdditionalProperties"/> (default <see cref="DefaultUserId"/>). A conversation is
/// recognised by <see cref="ChatOptions.ConversationId"/> when given, else by its opening messages, so its
/// next turn evaluates only its new tokens (with <see cref="DependencyInjection.SessionStateOptions.Directory"/>
/// set, even after other conversations have used the context). When
/// <see cref="ChatOptions.MaxOutputTokens"/> is not set the reply may be <see cref="ChatRequestValidator.DefaultMaxTokens"/> long.
/// A request that cannot be served as asked throws <see cref="ChatRequestException"/> (an <see cref="ArgumentException"/>).
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

    private static readonly ChatRequestNames OptionNames = new("MaxOutputTokens", "messages");
    private readonly ChatPipeline _pipeline;

    /// <summary>Creates a client that sends its requests through <paramref name="pipeline"/>.</summary>
    public FrugalChatClient(ChatPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var user = UserOf(options);
        var reply = await ReplyBuilder.CollectAsync(_pipeline.RunAsync(user, ToRequest(messages, options, user), cancellationToken), cancellationToken).ConfigureAwait(false);
        var completed = reply.Completed(cancellationToken);
        return new ChatResponse(new ChatMessage(AIChatRole.Assistant, reply.Text))
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
        var user = UserOf(options);
        var updates = _pipeline.RunAsync(user, ToRequest(messages, options, user), cancellationToken);
        var responseId = NewResponseId();
        var created = DateTimeOffset.UtcNow;
        var modelId = ModelId;
        await foreach (var update in updates.ConfigureAwait(false))
        {
            if (update.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, update.Text)
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = modelId,
                    CreatedAt = created,
                };
            }

            if (update.Completed is { } stats)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(AIChatRole.Assistant, [new UsageContent(ToUsage(stats))])
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = modelId,
                    CreatedAt = created,
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
        // The pipeline and the engine belong to the container, not to this client.
    }

    private string? ModelId
    {
        get
        {
            try
            {
                return _pipeline.Engine.Model.Id;
            }
            catch (EngineNotReadyException)
            {
                return null;
            }
        }
    }

    private static string NewResponseId() => $"frugal-{Guid.NewGuid():N}";

    private static string UserOf(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(UserProperty, out var user) == true && user is string { Length: > 0 } name ? name : DefaultUserId;

    private static ChatRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string user)
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

        return new ChatRequest
        {
            Messages = turns,
            MaxTokens = options?.MaxOutputTokens,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            Stop = options?.StopSequences?.ToArray(),
            Names = OptionNames,
            Grammar = options?.ResponseFormat is ChatResponseFormatJson json ? JsonOutput.Grammar(json.Schema, "ResponseFormat") : null,
            // The conversation's KV state is kept under this key when another conversation takes the context.
            SessionKey = options?.ConversationId is { Length: > 0 } conversation
                ? ConversationKey.ById(SessionScope, user, conversation)
                : turns.Count > 0 ? ConversationKey.ByOpening(SessionScope, user, turns) : null,
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
