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

    private readonly IConversationStore _store;
    private readonly ChatPipeline _pipeline;
    private readonly ISessionStateStore? _sessionStates;
    private readonly ISessionLeases _leases;
    private readonly OwnerQuotas _quotas;
    private readonly ConversationRules _rules;
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
        limits ??= new ConversationLimits();
        _quotas = new OwnerQuotas(store, limits);
        _rules = new ConversationRules(limits, LoadedEngine);
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
    /// in the context for a message and a reply) or settings out of range, <see cref="StorageQuotaExceededException"/> past the owner's caps.
    /// </summary>
    public async Task<ConversationSession> CreateSessionAsync(
        string ownerId, string? title, string? systemPrompt, ChatSettings? settings = null, CancellationToken cancellationToken = default)
    {
        _rules.CheckSystemPrompt(systemPrompt);
        if (settings is not null)
        {
            _rules.CheckSettings(settings);
        }

        await _quotas.CheckSessionAsync(ownerId, title, systemPrompt, cancellationToken).ConfigureAwait(false);
        var session = await _store.CreateSessionAsync(ownerId, title, systemPrompt, cancellationToken).ConfigureAwait(false);
        _quotas.Added(ownerId, 1, 0, OwnerQuotas.Bytes(title) + OwnerQuotas.Bytes(systemPrompt));
        if (settings is not null && settings != ChatSettings.Defaults)
        {
            session = await _store.UpdateSessionAsync(ownerId, session.Id, new SessionChanges { Settings = settings }, cancellationToken).ConfigureAwait(false)
                ?? throw new SessionNotFoundException($"No session '{session.Id}'.");
        }

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

    /// <summary>
    /// Changes the title, system prompt or settings (those <paramref name="changes"/> sets); null when the session is missing
    /// or someone else's. The system prompt and settings are checked as at creation. The next turn reads the new
    /// system prompt from the start: the engine keeps only what still prefixes the prompt.
    /// </summary>
    public async Task<ConversationSession?> UpdateSessionAsync(string ownerId, string sessionId, SessionChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.HasSystemPrompt)
        {
            _rules.CheckSystemPrompt(changes.SystemPrompt);
        }

        if (changes.Settings is { } settings)
        {
            _rules.CheckSettings(settings);
        }

        await _quotas.CheckBytesAsync(ownerId, OwnerQuotas.Bytes(changes.Title) + OwnerQuotas.Bytes(changes.SystemPrompt), cancellationToken).ConfigureAwait(false);
        var session = await _store.UpdateSessionAsync(ownerId, sessionId, changes, cancellationToken).ConfigureAwait(false);
        _quotas.Removed(ownerId);
        return session;
    }

    /// <summary>The session's messages as a tree, with the branch shown; null when the session is missing or someone else's.</summary>
    public async Task<MessageTree?> GetMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        var session = await _store.GetSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false);
        var messages = session is null ? null : await _store.ListMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false);
        return messages is null ? null : new MessageTree(messages, session!.CurrentMessageId);
    }

    /// <summary>
    /// Shows the version <paramref name="messageId"/>: the branch through it, down to its newest reply, becomes the one
    /// shown (and the one the next message continues). Throws <see cref="SessionNotFoundException"/> and
    /// <see cref="MessageNotFoundException"/>.
    /// </summary>
    public async Task<MessageTree> SelectVersionAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        var tree = await GetMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        var message = tree.Find(messageId) ?? throw new MessageNotFoundException($"Session '{sessionId}' has no message {messageId}.");
        var leaf = tree.LatestLeafUnder(message);
        if (!await _store.SelectMessageAsync(ownerId, sessionId, leaf.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new MessageNotFoundException($"Session '{sessionId}' has no message {messageId}.");
        }

        return await GetMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
    }

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
    /// Stores <paramref name="import"/> as a new session, all of it or nothing: the texts and settings are checked as for a
    /// session and its messages, the messages must form a conversation (<see cref="SessionImportCheck"/>), and the owner's
    /// caps must leave room for all of it. Token counts are taken again with the loaded model.
    /// </summary>
    public async Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        _rules.CheckSystemPrompt(import.SystemPrompt);
        _rules.CheckSettings(import.Settings);
        SessionImportCheck.Check(import);
        var engine = LoadedEngine();
        var messages = import.Messages.Select(m => m with
        {
            Message = m.Message with { TokenCount = engine?.CountTokens(m.Message.Content) ?? 0 },
        }).ToList();
        var bytes = OwnerQuotas.Bytes(import.Title) + OwnerQuotas.Bytes(import.SystemPrompt) + messages.Sum(m => OwnerQuotas.Bytes(m.Message.Content));
        await _quotas.CheckAsync(ownerId, 1, messages.Count, bytes, cancellationToken).ConfigureAwait(false);
        var session = await _store.ImportSessionAsync(ownerId, import with { Messages = messages }, cancellationToken).ConfigureAwait(false);
        _quotas.Added(ownerId, 1, messages.Count, bytes);
        return session;
    }

    /// <summary>
    /// Starts a turn — a new message (<see cref="TurnStart.Send"/>), a new version of one (<see cref="TurnStart.Edit"/>), or a
    /// new reply (<see cref="TurnStart.Regenerate"/>) — and returns it once it is admitted: the user's message is stored and
    /// the request holds its place in the queue; read the reply from <see cref="ConversationTurn.ReadAsync"/>, and dispose
    /// the turn to store what was produced if it ends early. The model reads the branch the turn continues, never another:
    /// the engine reuses only the KV cells of the tokens that still prefix the prompt. <paramref name="settings"/> override
    /// the session's for this turn. Everything a caller can get wrong throws here, before anything is stored or written:
    /// <see cref="SessionNotFoundException"/>, <see cref="MessageNotFoundException"/>, <see cref="ChatRequestException"/>,
    /// <see cref="EngineNotReadyException"/>, <see cref="QueueFullException"/> (a new user's message is then taken back), and
    /// <see cref="SessionBusyException"/> (another instance is answering in this session). One turn runs at a time per
    /// session: a second waits for the first one's stored reply (the turn holds the session's lease until it is disposed).
    /// Cancelling stops the reply; it is stored with finish reason <c>cancelled</c>.
    /// </summary>
    public async Task<ConversationTurn> StartTurnAsync(
        string ownerId, string sessionId, TurnStart start, ChatSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        _ = await _store.GetSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException($"No session '{sessionId}'.");
        if (start.Kind != TurnKind.Regenerate)
        {
            ConversationRules.CheckText(start.Text);
        }

        var engine = _pipeline.Engine;
        // Held until the reply is stored (the turn gives it back when disposed), so the next turn's history includes it.
        var lease = await _leases.AcquireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartLeasedTurnAsync(ownerId, sessionId, start, settings ?? ChatSettings.Defaults, engine, lease, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ConversationTurn> StartLeasedTurnAsync(
        string ownerId, string sessionId, TurnStart start, ChatSettings settings, IInferenceEngine engine, IAsyncDisposable lease,
        CancellationToken cancellationToken)
    {
        // Read under the lease: the conversation as the last turn left it.
        var session = await _store.GetSessionAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false);
        var all = session is null ? null : await _store.ListMessagesAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false);
        if (all is null)
        {
            throw new SessionNotFoundException($"No session '{sessionId}'.");
        }

        var plan = TurnPlan.For(new MessageTree(all, session!.CurrentMessageId), start, sessionId);
        var text = plan.Answered?.Content ?? start.Text!;
        var textTokens = plan.Answered is { TokenCount: > 0 } answered ? answered.TokenCount : engine.CountTokens(text);
        var request = ToRequest(session, plan.History, text, textTokens, settings.Over(session.Settings));
        var updates = _pipeline.RunAsync(ownerId, request, cancellationToken);

        await _quotas.CheckTurnAsync(ownerId, plan.Answered is null ? text : "", cancellationToken).ConfigureAwait(false);
        var userMessage = plan.Answered ?? await _store.AddMessageAsync(ownerId, sessionId,
            new NewMessage { Role = ChatRole.User, Content = text, TokenCount = textTokens, ParentId = plan.ParentId ?? NewMessage.AtStart },
            cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException($"No session '{sessionId}'.");

        // The message and the reply that follows it (its bytes are counted when the usage is next read whole).
        _quotas.Added(ownerId, 0, plan.Answered is null ? 2 : 1, plan.Answered is null ? OwnerQuotas.Bytes(text) : 0);
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
            if (plan.Answered is null)
            {
                await _store.DeleteMessageAsync(ownerId, sessionId, userMessage.Id, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                _quotas.Removed(ownerId);
            }

            if (e is QueueFullException or EngineNotReadyException)
            {
                ConversationLog.QueueFull(_logger, sessionId);
            }

            throw;
        }
    }

    // The session's conversation as one request: system prompt, the branch's messages with their token counts, the user's message.
    private static ChatRequest ToRequest(ConversationSession session, IReadOnlyList<StoredMessage> history, string text, int textTokens, ChatSettings settings)
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
        return ConversationRules.ToRequest(settings, messages) with
        {
            MessageTokens = tokens,
            FitHistory = true,
            SessionKey = SessionKey(session.Id),
        };
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
