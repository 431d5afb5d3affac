namespace Frugal.Conversations;

/// <summary>
/// A session's messages as the tree they form: each follows its parent, and messages with the same parent are
/// versions of one another (an edited message, a regenerated reply). The branch shown runs from the start to the
/// session's current message; nothing of another branch is ever lost.
/// </summary>
public sealed class MessageTree
{
    private const long Root = 0;
    private readonly Dictionary<long, StoredMessage> _byId;
    private readonly Dictionary<long, List<StoredMessage>> _children = [];

    /// <summary>Builds the tree of <paramref name="messages"/> (any order) with the branch ending at <paramref name="currentId"/>.</summary>
    public MessageTree(IReadOnlyList<StoredMessage> messages, long? currentId)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _byId = messages.ToDictionary(m => m.Id);
        All = [.. messages.OrderBy(m => m.Id)];
        foreach (var message in All)
        {
            var parent = message.ParentId is { } p && _byId.ContainsKey(p) ? p : Root;
            if (!_children.TryGetValue(parent, out var siblings))
            {
                _children[parent] = siblings = [];
            }

            siblings.Add(message);
        }

        // A current id that is gone (or never set, in a session written before versions) shows the newest message's branch.
        Current = currentId is { } id && _byId.TryGetValue(id, out var current) ? current : messages.MaxBy(m => m.Id);
        Branch = PathTo(Current?.Id);
    }

    /// <summary>Every message of every branch, oldest first (a parent before its children).</summary>
    public IReadOnlyList<StoredMessage> All { get; }

    /// <summary>The last message of the branch shown, or null when there are none.</summary>
    public StoredMessage? Current { get; }

    /// <summary>The branch shown, oldest first.</summary>
    public IReadOnlyList<StoredMessage> Branch { get; }

    /// <summary>The message with this id, or null when the session has none.</summary>
    public StoredMessage? Find(long id) => _byId.GetValueOrDefault(id);

    /// <summary>The messages from the start down to <paramref name="id"/> included (empty for null).</summary>
    public IReadOnlyList<StoredMessage> PathTo(long? id)
    {
        // Bounded by the message count: a parent loop in damaged data ends the walk instead of hanging it.
        var path = new List<StoredMessage>();
        for (var message = id is { } start ? Find(start) : null; message is not null && path.Count <= _byId.Count; message = ParentOf(message))
        {
            path.Add(message);
        }

        path.Reverse();
        return path;
    }

    /// <summary>The ids of <paramref name="message"/>'s versions (itself included), oldest first.</summary>
    public IReadOnlyList<long> VersionsOf(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _children.TryGetValue(ParentKey(message), out var siblings) ? [.. siblings.Select(m => m.Id)] : [message.Id];
    }

    /// <summary>Where the branch through <paramref name="message"/> ends: its newest reply, that reply's newest follow-up, and so on.</summary>
    public StoredMessage LatestLeafUnder(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        while (_children.TryGetValue(message.Id, out var children) && children.Count > 0)
        {
            message = children[^1];
        }

        return message;
    }

    private StoredMessage? ParentOf(StoredMessage message) => message.ParentId is { } p ? Find(p) : null;

    private long ParentKey(StoredMessage message) => message.ParentId is { } p && _byId.ContainsKey(p) ? p : Root;
}
