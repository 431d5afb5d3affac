using System.Collections.Concurrent;
using System.Text;

namespace Frugal.Conversations;

/// <summary>
/// Enforces <see cref="ConversationLimits"/> through <see cref="IConversationStore.GetUsageAsync"/>, which every
/// store answers. An owner's usage is read from the store once and then kept up to date by the writes that pass
/// through here (a deletion makes it read again), so a send does not scan the owner's messages. Concurrent writes
/// of one owner may overshoot a cap by what is in flight; a cap bounds a user, it is not an exact count.
/// </summary>
internal sealed class OwnerQuotas(IConversationStore store, ConversationLimits limits)
{
    private readonly ConcurrentDictionary<string, StorageUsage> _usage = new(StringComparer.Ordinal);

    public ConversationLimits Limits => limits;

    /// <summary>Throws <see cref="StorageQuotaExceededException"/> unless the owner may add a session with these texts.</summary>
    public async Task CheckSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken)
    {
        var usage = await UsageAsync(ownerId, cancellationToken).ConfigureAwait(false);
        if (usage.Sessions >= limits.MaxSessionsPerUser)
        {
            throw new StorageQuotaExceededException(
                $"You keep {usage.Sessions} sessions, the most this server allows per user ({limits.MaxSessionsPerUser}); delete some first.");
        }

        CheckBytes(usage, Bytes(title) + Bytes(systemPrompt));
    }

    /// <summary>Throws unless the owner may add a turn (the message and its reply) of <paramref name="text"/>.</summary>
    public async Task CheckTurnAsync(string ownerId, string text, CancellationToken cancellationToken)
    {
        var usage = await UsageAsync(ownerId, cancellationToken).ConfigureAwait(false);
        if (usage.Messages + 2 > limits.MaxMessagesPerUser)
        {
            throw new StorageQuotaExceededException(
                $"You keep {usage.Messages} messages, the most this server allows per user is {limits.MaxMessagesPerUser}; delete some sessions first.");
        }

        CheckBytes(usage, Bytes(text));
    }

    /// <summary>Throws unless the owner may add <paramref name="sessions"/> sessions, <paramref name="messages"/> messages and <paramref name="bytes"/> bytes.</summary>
    public async Task CheckAsync(string ownerId, long sessions, long messages, long bytes, CancellationToken cancellationToken)
    {
        var usage = await UsageAsync(ownerId, cancellationToken).ConfigureAwait(false);
        if (sessions > 0 && usage.Sessions + sessions > limits.MaxSessionsPerUser)
        {
            throw new StorageQuotaExceededException(
                $"You keep {usage.Sessions} sessions, the most this server allows per user ({limits.MaxSessionsPerUser}); delete some first.");
        }

        if (usage.Messages + messages > limits.MaxMessagesPerUser)
        {
            throw new StorageQuotaExceededException(
                $"You keep {usage.Messages} messages and this adds {messages}; the most this server allows per user is {limits.MaxMessagesPerUser}. Delete some sessions first.");
        }

        CheckBytes(usage, bytes);
    }

    /// <summary>Throws unless the owner may add <paramref name="bytes"/> bytes of text.</summary>
    public async Task CheckBytesAsync(string ownerId, long bytes, CancellationToken cancellationToken) =>
        CheckBytes(await UsageAsync(ownerId, cancellationToken).ConfigureAwait(false), bytes);

    /// <summary>Counts what was just stored.</summary>
    public void Added(string ownerId, long sessions, long messages, long bytes)
    {
        // Only a known usage is updated; an unknown one is read whole from the store when next needed.
        while (_usage.TryGetValue(ownerId, out var u)
            && !_usage.TryUpdate(ownerId, u with { Sessions = u.Sessions + sessions, Messages = u.Messages + messages, Bytes = u.Bytes + bytes }, u))
        {
        }
    }

    /// <summary>Something of the owner's was deleted: read the usage again next time.</summary>
    public void Removed(string ownerId) => _usage.TryRemove(ownerId, out _);

    public static long Bytes(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    private void CheckBytes(StorageUsage usage, long adding)
    {
        if (usage.Bytes + adding > limits.MaxBytesPerUser)
        {
            throw new StorageQuotaExceededException(
                $"You keep {usage.Bytes} bytes of conversations; this would pass the {limits.MaxBytesPerUser} bytes this server allows per user. Delete some sessions first.");
        }
    }

    private async Task<StorageUsage> UsageAsync(string ownerId, CancellationToken cancellationToken)
    {
        if (_usage.TryGetValue(ownerId, out var known))
        {
            return known;
        }

        var usage = await store.GetUsageAsync(ownerId, cancellationToken).ConfigureAwait(false);
        _usage[ownerId] = usage;
        return usage;
    }
}
