using System.Collections.Concurrent;
using Frugal.Conversations;

namespace Frugal.Testing;

/// <summary>
/// The server's real conversation store with two test hooks around it, so a test waits on an event instead of polling:
/// each message added is announced (<see cref="WaitForMessageAsync"/>), and the answer to a listing of a session's
/// messages can be held back (<see cref="HoldNextMessageList"/>) to make a reader's load finish after something else happened.
/// </summary>
public sealed class ObservedConversationStore(IConversationStore inner) : IConversationStore
{
    private readonly Lock _lock = new();
    private readonly List<StoredMessage> _added = [];
    private readonly List<(Func<StoredMessage, bool> Match, TaskCompletionSource<StoredMessage> Found)> _waiters = [];
    private readonly ConcurrentDictionary<string, MessageListHold> _holds = new(StringComparer.Ordinal);

    /// <summary>
    /// The first message added (since the server started) for which <paramref name="match"/> holds, as soon as the
    /// store has it.
    /// </summary>
    public Task<StoredMessage> WaitForMessageAsync(Func<StoredMessage, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_lock)
        {
            if (_added.FirstOrDefault(match) is { } added)
            {
                return Task.FromResult(added);
            }

            var found = new TaskCompletionSource<StoredMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    /// <summary>
    /// Holds back the answer to the next listing of <paramref name="sessionId"/>'s messages: the messages are read from
    /// the store at once and returned only when the hold is released, so the reader gets a list older than the store.
    /// Later listings pass.
    /// </summary>
    public MessageListHold HoldNextMessageList(string sessionId)
    {
        var hold = new MessageListHold();
        _holds[sessionId] = hold;
        return hold;
    }

    public async Task<StoredMessage?> AddMessageAsync(string ownerId, string sessionId, NewMessage message, CancellationToken cancellationToken = default)
    {
        var stored = await inner.AddMessageAsync(ownerId, sessionId, message, cancellationToken);
        if (stored is not null)
        {
            Announce(stored);
        }

        return stored;
    }

    public async Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        var messages = await inner.ListMessagesAsync(ownerId, sessionId, cancellationToken);
        if (_holds.TryRemove(sessionId, out var hold))
        {
            await hold.HoldAsync(cancellationToken);
        }

        return messages;
    }

    public Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default) =>
        inner.CreateSessionAsync(ownerId, title, systemPrompt, cancellationToken);

    public Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default) =>
        inner.ListSessionsAsync(ownerId, cancellationToken);

    public Task<SessionPage> ListSessionsAsync(string ownerId, int limit, string? after, CancellationToken cancellationToken = default) =>
        inner.ListSessionsAsync(ownerId, limit, after, cancellationToken);

    public Task<StorageUsage> GetUsageAsync(string ownerId, CancellationToken cancellationToken = default) => inner.GetUsageAsync(ownerId, cancellationToken);

    public Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default) =>
        inner.GetSessionAsync(ownerId, sessionId, cancellationToken);

    public Task<ConversationSession?> UpdateSessionAsync(string ownerId, string sessionId, SessionChanges changes, CancellationToken cancellationToken = default) =>
        inner.UpdateSessionAsync(ownerId, sessionId, changes, cancellationToken);

    public Task<bool> SelectMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default) =>
        inner.SelectMessageAsync(ownerId, sessionId, messageId, cancellationToken);

    public Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default) =>
        inner.ImportSessionAsync(ownerId, import, cancellationToken);

    public Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default) =>
        inner.DeleteSessionAsync(ownerId, sessionId, cancellationToken);

    public Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default) =>
        inner.DeleteMessageAsync(ownerId, sessionId, messageId, cancellationToken);

    private void Announce(StoredMessage stored)
    {
        List<TaskCompletionSource<StoredMessage>> found;
        lock (_lock)
        {
            _added.Add(stored);
            found = [.. _waiters.Where(w => w.Match(stored)).Select(w => w.Found)];
            _waiters.RemoveAll(w => found.Contains(w.Found));
        }

        foreach (var waiter in found)
        {
            waiter.TrySetResult(stored);
        }
    }
}
