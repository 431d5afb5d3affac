using System.Runtime.CompilerServices;
using System.Text;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Frugal.Conversations;

/// <summary>
/// Conversations kept by the server, for the sessions API and for in-process callers. A send commits
/// the user's message before generation, runs the turn through the <see cref="IGenerationScheduler"/>
/// (session key <c>session:{id}</c>, so the engine can reuse the session's KV state), and commits the
/// reply when generation ends — also when it is cancelled or fails, keeping the partial text.
/// </summary>
public sealed partial class ConversationService
{
    /// <summary>The reply budget when the caller gives none (capped at half the context).</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>Highest temperature accepted (OpenAI's range is 0–2).</summary>
    public const float MaxTemperature = 2f;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly IConversationStore _store;
    private readonly IGenerationScheduler _scheduler;
    private readonly EngineReadiness _readiness;
    private readonly ISessionStateStore? _sessionStates;
    private readonly ISessionLeases _leases;
    private readonly ILogger _logger;

    /// <summary>
    /// Creates the service; <paramref name="sessionStates"/> (optional) is told when a session is deleted;
    /// <paramref name="leases"/> keeps one turn at a time per session (in this process when not given).
    /// </summary>
    public ConversationService(
        IConversationStore store,
        IGenerationScheduler scheduler,
        EngineReadiness readiness,
        ILogger<ConversationService>? logger = null,
        ISessionStateStore? sessionStates = null,
        ISessionLeases? leases = null)
    {
        _store = store;
        _scheduler = scheduler;
        _readiness = readiness;
        _sessionStates = sessionStates;
        _leases = leases ?? new LocalSessionLeases();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The key under which the engine keeps a session's KV state.</summary>
    public static string SessionKey(string sessionId) => $"session:{sessionId}";

    /// <summary>How a finish reason is written in the store and on the wire: stop, length, cancelled.</summary>
    public static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.Cancelled => "cancelled",
        _ => "stop",
    };

    /// <summary>Creates a session for <paramref name="ownerId"/>.</summary>
    public Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default) =>
        _store.CreateSessionAsync(ownerId, title, systemPrompt, cancellationToken);

    /// <summary>The owner's sessions, most recently updated first.</summary>
    public Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default) =>
        _store.ListSessionsAsync(ownerId, cancellationToken);

    /// <summary>The session, or null when it is missing or someone else's.</summary>
    public Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default) =>
        _store.GetSessionAsync(ownerId, sessionId, cancellationToken);

    /// <summary>Sets the title; null when the session is missing or someone else's.</summary>
    public Task<ConversationSession?> RenameSessionAsync(string ownerId, string sessionId, string? title, CancellationToken cancellationToken = default) =>
        _store.RenameSessionAsync(ownerId, sessionId, title, cancellationToken);

    /// <summary>The session's messages, oldest first; null when the session is missing or someone else's.</summary>
    public Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default) =>
        _store.ListMessagesAsync(ownerId, sessionId, cancellationToken);

    /// <summary>Deletes the session and its messages, and forgets its kept KV state; false when missing or someone else's.</summary>
    public async Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        var deleted = await _store.DeleteSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            _sessionStates?.Delete(SessionKey(sessionId));
        }

        return deleted;
    }

    /// <summary>
    /// Sends <paramref name="text"/> as the user in the session and streams the reply (see
    /// <see cref="ConversationUpdate"/> for the order). Everything a caller can get wrong is checked
    /// in the first <c>MoveNextAsync</c>, before anything is stored:
    /// <see cref="SessionNotFoundException"/>, <see cref="ConversationRequestException"/>,
    /// <see cref="EngineNotReadyException"/>, and <see cref="QueueFullException"/> (the user's message
    /// is then taken back), <see cref="SessionBusyException"/> (another instance is answering in this
    /// session). One turn runs at a time per session: a second send waits for the first one's stored reply.
    /// Cancelling stops the reply; it is stored with finish reason <c>cancelled</c>.
    /// </summary>
    public async IAsyncEnumerable<ConversationUpdate> SendAsync(
        string ownerId,
        string sessionId,
        string text,
        SendOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= SendOptions.Default;
        var session = await _store.GetSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        ValidateText(text);
        ValidateTemperature(options.Temperature);
        var engine = _readiness.GetEngine();
        var maxTokens = ResolveMaxTokens(options.MaxTokens, engine.ContextSize);
        // Held until the reply is stored (disposed after the finally below), so the next turn's history includes it.
        await using var lease = (await _leases.AcquireAsync(sessionId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var history = await _store.ListMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        var selection = HistoryWindow.Select(engine, session.SystemPrompt, history, text, maxTokens);

        var userMessage = await _store.AddMessageAsync(ownerId, sessionId,
            new NewMessage { Role = ChatRole.User, Content = text, TokenCount = engine.CountTokens(text) },
            cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException($"No session '{sessionId}'.");

        var request = new GenerationRequest
        {
            Messages = selection.Messages,
            MaxTokens = maxTokens,
            Sampling = options.Temperature is { } temperature ? SamplingOptions.Default with { Temperature = temperature } : SamplingOptions.Default,
            SessionKey = SessionKey(sessionId),
        };

        var turn = new Turn(this, ownerId, sessionId, selection.OmittedMessages, engine);
        var updates = _scheduler.RunAsync(ownerId, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var more = await turn.AdmitAsync(updates, userMessage).ConfigureAwait(false);
            turn.Memory = more ? updates.Current.Memory : null;
            yield return new ConversationUpdate
            {
                Started = new ConversationStart(userMessage, turn.OmittedMessages, selection.PromptTokens) { Memory = turn.Memory },
            };
            while (more)
            {
                var update = updates.Current;
                turn.Memory ??= update.Memory;
                if (update.QueuePosition is { } position)
                {
                    yield return new ConversationUpdate { QueuePosition = position };
                }
                else if (update.Generation is { } generation)
                {
                    if (generation.Text.Length > 0)
                    {
                        turn.Reply.Append(generation.Text);
                        yield return new ConversationUpdate { Text = generation.Text };
                    }

                    turn.Stats ??= generation.Completed;
                }

                more = await turn.NextAsync(updates).ConfigureAwait(false);
            }

            var reply = await turn.CompleteAsync().ConfigureAwait(false);
            yield return new ConversationUpdate { Completed = reply };
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            // Reached without a stored reply: cancelled, failed, or the caller stopped reading.
            await turn.StoreUnfinishedAsync(cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        }
    }

    private static void ValidateText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ConversationRequestException("The message content must not be empty.", "content", "empty_content");
        }

        try
        {
            _ = StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ConversationRequestException("The message content is not valid Unicode (an unpaired surrogate).", "content", "invalid_encoding");
        }
    }

    private static void ValidateTemperature(float? temperature)
    {
        if (temperature is { } t && (!float.IsFinite(t) || t < 0f || t > MaxTemperature))
        {
            throw new ConversationRequestException($"temperature must be a number from 0 to {MaxTemperature}.", "temperature", "invalid_value");
        }
    }

    private static int ResolveMaxTokens(int? requested, int contextSize)
    {
        if (requested is not { } maxTokens)
        {
            return Math.Max(1, Math.Min(DefaultMaxTokens, contextSize / 2));
        }

        if (maxTokens < 1 || maxTokens > contextSize)
        {
            throw new ConversationRequestException($"max_tokens must be from 1 to the context size ({contextSize}).", "max_tokens", "invalid_value");
        }

        return maxTokens;
    }
}
