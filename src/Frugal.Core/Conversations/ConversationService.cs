using System.Text;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Requests;
using Frugal.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Frugal.Conversations;

/// <summary>
/// Conversations kept by the server, for the sessions API and for in-process callers. A send commits
/// the user's message before generation, runs the turn through the <see cref="ChatPipeline"/>
/// (session key <c>session:{id}</c>, so the engine can reuse the session's KV state), and commits the
/// reply when generation ends — also when it is cancelled or fails, keeping the partial text.
/// </summary>
public sealed class ConversationService
{
    /// <summary>Tokens of the context a system prompt must leave free: a short message, the template's markers and a reply.</summary>
    public const int MinTurnTokens = 64;

    private static readonly ChatRequestNames SessionNames = new("max_tokens", "content");
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly IConversationStore _store;
    private readonly ChatPipeline _pipeline;
    private readonly ISessionStateStore? _sessionStates;
    private readonly ISessionLeases _leases;
    private readonly OwnerQuotas _quotas;
    private readonly ILogger _logger;

    /// <summary>
    /// Creates the service; <paramref name="sessionStates"/> (optional) is told when a session is deleted;
    /// <paramref name="leases"/> keeps one turn at a time per session (in this process when not given).
    /// </summary>
    public ConversationService(
        IConversationStore store,
        ChatPipeline pipeline,
        ILogger<ConversationService>? logger = null,
        ISessionStateStore? sessionStates = null,
        ISessionLeases? leases = null,
        ConversationLimits? limits = null)
    {
        _quotas = new OwnerQuotas(store, limits ?? new ConversationLimits());
        _store = store;
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
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

    /// <summary>
    /// Creates a session for <paramref name="ownerId"/>. Throws <see cref="ChatRequestException"/> for a system
    /// prompt that could never be used (longer than <see cref="ConversationLimits.MaxSystemPromptChars"/>, or leaving no room
    /// in the context for a message and a reply), <see cref="StorageQuotaExceededException"/> past the owner's caps.
    /// </summary>
    public async Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default)
    {
        ValidateSystemPrompt(systemPrompt);
        await _quotas.CheckSessionAsync(ownerId, title, systemPrompt, cancellationToken).ConfigureAwait(false);
        var session = await _store.CreateSessionAsync(ownerId, title, systemPrompt, cancellationToken).ConfigureAwait(false);
        _quotas.Added(ownerId, 1, 0, OwnerQuotas.Bytes(title) + OwnerQuotas.Bytes(systemPrompt));
        return session;
    }

    /// <summary>The owner's sessions, most recently updated first.</summary>
    public Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default) =>
        _store.ListSessionsAsync(ownerId, cancellationToken);

    /// <summary>One page of the owner's sessions (see <see cref="IConversationStore.ListSessionsAsync(string, int, string?, CancellationToken)"/>).</summary>
    public Task<SessionPage> ListSessionsAsync(string ownerId, int limit, string? after, CancellationToken cancellationToken = default) =>
        _store.ListSessionsAsync(ownerId, limit, after, cancellationToken);

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
            _quotas.Removed(ownerId);
            _sessionStates?.Delete(SessionKey(sessionId));
        }

        return deleted;
    }

    /// <summary>
    /// Sends <paramref name="text"/> as the user in the session and returns the turn once it is admitted: the
    /// user's message is stored and the request holds its place in the queue; read the reply from
    /// <see cref="ConversationTurn.ReadAsync"/>, and dispose the turn to store what was produced if it ends early.
    /// Everything a caller can get wrong throws here, before anything is stored or written:
    /// <see cref="SessionNotFoundException"/>, <see cref="ChatRequestException"/>, <see cref="EngineNotReadyException"/>,
    /// <see cref="QueueFullException"/> (the user's message is then taken back), and <see cref="SessionBusyException"/>
    /// (another instance is answering in this session). One turn runs at a time per session: a second send waits
    /// for the first one's stored reply (the turn holds the session's lease until it is disposed).
    /// Cancelling stops the reply; it is stored with finish reason <c>cancelled</c>.
    /// </summary>
    public async Task<ConversationTurn> StartTurnAsync(
        string ownerId, string sessionId, string text, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= SendOptions.Default;
        var session = await _store.GetSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        ValidateText(text);
        var engine = _pipeline.Engine;
        // Held until the reply is stored (the turn gives it back when disposed), so the next turn's history includes it.
        var lease = await _leases.AcquireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartLeasedTurnAsync(ownerId, session, text, options, engine, lease, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ConversationTurn> StartLeasedTurnAsync(
        string ownerId, ConversationSession session, string text, SendOptions options, IInferenceEngine engine, IAsyncDisposable lease,
        CancellationToken cancellationToken)
    {
        var sessionId = session.Id;
        var history = await _store.ListMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        var textTokens = engine.CountTokens(text);
        var request = ToRequest(session, history, text, textTokens, options);
        var updates = _pipeline.RunAsync(ownerId, request, cancellationToken);

        await _quotas.CheckTurnAsync(ownerId, text, cancellationToken).ConfigureAwait(false);
        var userMessage = await _store.AddMessageAsync(ownerId, sessionId,
            new NewMessage { Role = ChatRole.User, Content = text, TokenCount = textTokens },
            cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException($"No session '{sessionId}'.");

        // The message and the reply that follows it (its bytes are counted when the usage is next read whole).
        _quotas.Added(ownerId, 0, 2, OwnerQuotas.Bytes(text));
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        try
        {
            // The queue's verdict: admitted, or full (then the refused turn leaves no trace).
            if (!await enumerator.MoveNextAsync().ConfigureAwait(false) || enumerator.Current.Admitted is not { } admitted)
            {
                throw new InvalidOperationException("The request was not admitted.");
            }

            return new ConversationTurn(_store, _logger, ownerId, sessionId, userMessage, admitted, enumerator, engine, lease, cancellationToken);
        }
        catch (Exception e)
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            await _store.DeleteMessageAsync(ownerId, sessionId, userMessage.Id, CancellationToken.None).ConfigureAwait(false);
            if (e is QueueFullException or EngineNotReadyException)
            {
                ConversationLog.QueueFull(_logger, sessionId);
            }

            throw;
        }
    }

    // The session's conversation as one request: system prompt, stored messages with their token counts, the new message.
    private static ChatRequest ToRequest(ConversationSession session, IReadOnlyList<StoredMessage> history, string text, int textTokens, SendOptions options)
    {
        var messages = new List<ChatTurn>(history.Count + 2);
        var tokens = new List<int>(history.Count + 2);
        if (!string.IsNullOrEmpty(session.SystemPrompt))
        {
            messages.Add(new ChatTurn(ChatRole.System, session.SystemPrompt));
            tokens.Add(0);
        }

        foreach (var message in history)
        {
            // A reply with the ids it was generated as, so the session's kept KV cells match it also after a restart.
            messages.Add(new ChatTurn(message.Role, message.Content) { GeneratedTokens = message.TokenIds });
            tokens.Add(message.TokenCount);
        }

        messages.Add(new ChatTurn(ChatRole.User, text));
        tokens.Add(textTokens);
        return new ChatRequest
        {
            Messages = messages,
            MessageTokens = tokens,
            FitHistory = true,
            MaxTokens = options.MaxTokens,
            Temperature = options.Temperature,
            SessionKey = SessionKey(session.Id),
            Names = SessionNames,
        };
    }

    private static void ValidateText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ChatRequestException("The message content must not be empty.", "content", "empty_content");
        }

        try
        {
            _ = StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ChatRequestException("The message content is not valid Unicode (an unpaired surrogate).", "content", "invalid_encoding");
        }
    }

    // One that leaves no room for a message and a reply can never be used: refused at once, not at every turn.
    private void ValidateSystemPrompt(string? systemPrompt)
    {
        if (systemPrompt is null)
        {
            return;
        }

        var limit = _quotas.Limits.MaxSystemPromptChars;
        if (systemPrompt.Length > limit)
        {
            throw new ChatRequestException($"system_prompt has at most {limit} characters on this server.", "system_prompt", "system_prompt_too_long");
        }

        if (LoadedEngine() is { } engine && engine.CountTokens(systemPrompt) > engine.ContextSize - MinTurnTokens)
        {
            throw new ChatRequestException(
                $"system_prompt is too long for the model's context of {engine.ContextSize} tokens: it must leave {MinTurnTokens} tokens for a message and a reply.",
                "system_prompt", "system_prompt_too_long");
        }
    }

    // The engine when it is loaded; a system prompt given while it loads is checked against the character cap only.
    private IInferenceEngine? LoadedEngine()
    {
        try
        {
            return _pipeline.Engine;
        }
        catch (EngineNotReadyException)
        {
            return null;
        }
    }
}
