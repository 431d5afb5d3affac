using Frugal.Inference;
using Frugal.Requests;
using Frugal.Scheduling;
using Microsoft.Extensions.Logging;

namespace Frugal.Conversations;

/// <summary>
/// One admitted send of <see cref="ConversationService.StartTurnAsync"/>: the user's message is stored and the
/// request holds its place in the queue. <see cref="ReadAsync"/> streams the reply and stores it when it ends;
/// disposing the turn stores whatever was produced when it ended any other way (cancelled, failed, abandoned).
/// </summary>
public sealed class ConversationTurn : IAsyncDisposable
{
    private readonly IConversationStore _store;
    private readonly ILogger _logger;
    private readonly string _ownerId;
    private readonly string _sessionId;
    private readonly IAsyncEnumerator<ChatUpdate> _updates;
    private readonly IInferenceEngine _engine;
    private readonly IAsyncDisposable _lease;
    private readonly CancellationToken _cancellationToken;
    private readonly ReplyBuilder _reply = new();
    private bool _stored;
    private bool _read;
    private Exception? _failure;

    internal ConversationTurn(IConversationStore store, ILogger logger, string ownerId, string sessionId, StoredMessage userMessage,
        ChatAdmission admission, IAsyncEnumerator<ChatUpdate> updates, IInferenceEngine engine, IAsyncDisposable lease, CancellationToken cancellationToken)
    {
        _engine = engine;
        _lease = lease;
        _store = store;
        _logger = logger;
        _ownerId = ownerId;
        _sessionId = sessionId;
        UserMessage = userMessage;
        Admission = admission;
        _updates = updates;
        _cancellationToken = cancellationToken;
        _reply.Add(updates.Current);
    }

    /// <summary>The user's message as stored.</summary>
    public StoredMessage UserMessage { get; }

    /// <summary>What admission decided: memory pressure, prompt tokens, history left out.</summary>
    public ChatAdmission Admission { get; }

    /// <summary>The reply as stored, once <see cref="ReadAsync"/> reached its end.</summary>
    public ConversationReply? Reply { get; private set; }

    /// <summary>
    /// Streams the rest of the turn: queue positions, text, and last the completed update, yielded after the
    /// reply is stored (<see cref="Reply"/> is then set). Can be read once.
    /// </summary>
    public async IAsyncEnumerable<ChatUpdate> ReadAsync()
    {
        if (_read)
        {
            throw new InvalidOperationException("The turn's reply can be read once.");
        }

        _read = true;
        while (await NextAsync().ConfigureAwait(false))
        {
            var update = _updates.Current;
            _reply.Add(update);
            if (update.Completed is not null)
            {
                Reply = await CompleteAsync().ConfigureAwait(false);
            }

            yield return update;
        }

        if (Reply is null)
        {
            Reply = await CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the turn: stores the partial reply when it did not complete, and gives the session's lease back.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _updates.DisposeAsync().ConfigureAwait(false);
            await StoreUnfinishedAsync().ConfigureAwait(false);
        }
        finally
        {
            await _lease.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StoreUnfinishedAsync()
    {
        if (_stored)
        {
            return;
        }

        var cancelled = _cancellationToken.IsCancellationRequested;
        var failed = _failure is not null && !(_failure is OperationCanceledException && cancelled);
        if (failed)
        {
            ConversationLog.GenerationFailed(_logger, _sessionId, _failure!);
        }

        // Counted now, so the next turn weighs this reply without tokenizing it again.
        var tokens = _reply.Stats?.CompletionTokens ?? (_reply.HasText ? _engine.CountTokens(_reply.Text) : 0);
        await StoreAsync(failed ? "error" : "cancelled", failed ? MessageStatus.Failed : MessageStatus.Partial, tokens).ConfigureAwait(false);
    }

    private async Task<bool> NextAsync()
    {
        try
        {
            return await _updates.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }
    }

    private async Task<ConversationReply> CompleteAsync()
    {
        if (_reply.Stats is not { } stats)
        {
            var failure = new InvalidOperationException("The generation ended without its final figures.");
            _failure = failure;
            throw failure;
        }

        var message = await StoreAsync(
            ConversationService.FinishReasonName(stats.FinishReason),
            stats.FinishReason == FinishReason.Cancelled ? MessageStatus.Partial : MessageStatus.Complete,
            stats.CompletionTokens).ConfigureAwait(false);
        var omitted = Admission.AllOmittedMessages;
        ConversationLog.ReplyStored(_logger, _sessionId, message.FinishReason ?? "", stats.CompletionTokens, omitted);
        return new ConversationReply(message, stats, omitted) { Memory = Admission.Memory };
    }

    private async Task<StoredMessage> StoreAsync(string finishReason, MessageStatus status, int tokenCount)
    {
        _stored = true;
        // Never the caller's token: a reply must be stored also after its client went away.
        var message = await _store.AddMessageAsync(_ownerId, _sessionId, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = _reply.Text,
            TokenCount = tokenCount,
            FinishReason = finishReason,
            Status = status,
            ParentId = UserMessage.Id,
            ContextShifted = _reply.ContextShifted,
            TokenIds = _reply.Stats?.ReplyTokenIds,
        }, CancellationToken.None).ConfigureAwait(false);
        return message ?? throw new SessionNotFoundException($"Session '{_sessionId}' was deleted during the reply.");
    }
}
