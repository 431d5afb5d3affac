namespace Frugal.Conversations;

/// <summary>
/// An imported session's message ids as the source had them, mapped to the ids a store gives the messages as it
/// inserts them, parents first (the import of every SQL store).
/// </summary>
public sealed class ImportedIds
{
    private readonly Dictionary<long, long> _stored = [];

    /// <summary>The stored id of <paramref name="message"/>'s parent, null for a first message; a parent not stored yet is an error.</summary>
    public long? ParentOf(ImportedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.ParentId is not { } parent)
        {
            return null;
        }

        return _stored.TryGetValue(parent, out var stored) ? stored
            : throw new ArgumentException($"Message {message.Id} follows {parent}, which is not listed before it.", nameof(message));
    }

    /// <summary>Records that <paramref name="message"/> was stored as <paramref name="storedId"/>.</summary>
    public void Add(ImportedMessage message, long storedId)
    {
        ArgumentNullException.ThrowIfNull(message);
        _stored[message.Id] = storedId;
    }

    /// <summary>The stored id of the message <paramref name="import"/> shows last: the one it names, else the newest; null when there are none.</summary>
    public long? Current(SessionImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.CurrentMessageId is { } named && _stored.TryGetValue(named, out var stored) ? stored
            : _stored.Count > 0 ? _stored.Values.Max() : null;
    }
}
