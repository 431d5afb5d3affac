namespace Frugal.Scheduling;

/// <summary>
/// Waiting items in one sub-queue per user, served round-robin between users: each user's oldest
/// item in turn, so one user with many items cannot starve the others. Not thread-safe; the
/// scheduler holds its lock around every call.
/// </summary>
/// <typeparam name="T">The waiting item (compared by reference).</typeparam>
internal sealed class FairQueue<T>
    where T : class
{
    // Users with waiting items, in the order they will be served; a served user with more items
    // goes to the back, a user arriving goes to the back too.
    private readonly LinkedList<UserLine> _rotation = new();
    private readonly Dictionary<string, LinkedListNode<UserLine>> _lines = new(StringComparer.Ordinal);

    /// <summary>Items waiting, all users together.</summary>
    public int Count { get; private set; }

    /// <summary>Every waiting item, in no particular order.</summary>
    public IEnumerable<T> Items => _rotation.SelectMany(line => line.Items);

    /// <summary>Puts <paramref name="item"/> at the end of <paramref name="userId"/>'s sub-queue.</summary>
    public void Enqueue(string userId, T item)
    {
        if (!_lines.TryGetValue(userId, out var node))
        {
            node = _rotation.AddLast(new UserLine(userId));
            _lines.Add(userId, node);
        }

        node.Value.Items.Add(item);
        Count++;
    }

    /// <summary>Items <paramref name="userId"/> has waiting.</summary>
    public int CountOf(string userId) => _lines.TryGetValue(userId, out var node) ? node.Value.Items.Count : 0;

    /// <summary>Takes the next item in round-robin order, or null when nothing waits.</summary>
    public T? Dequeue() => Dequeue(static _ => true);

    /// <summary>
    /// Takes the next item in round-robin order among the users <paramref name="eligible"/> accepts, or null when
    /// none of theirs waits. A user passed over keeps its place in the rotation.
    /// </summary>
    public T? Dequeue(Func<string, bool> eligible)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        var node = _rotation.First;
        while (node is not null && !eligible(node.Value.UserId))
        {
            node = node.Next;
        }

        if (node is null)
        {
            return null;
        }

        var line = node.Value;
        var item = line.Items[0];
        line.Items.RemoveAt(0);
        Count--;
        _rotation.Remove(node);
        if (line.Items.Count > 0)
        {
            _rotation.AddLast(node);
        }
        else
        {
            _lines.Remove(line.UserId);
        }

        return item;
    }

    /// <summary>Removes a waiting item (its caller gave up); false when it is not waiting.</summary>
    public bool Remove(string userId, T item)
    {
        if (!_lines.TryGetValue(userId, out var node))
        {
            return false;
        }

        var items = node.Value.Items;
        var index = items.IndexOf(item);
        if (index < 0)
        {
            return false;
        }

        items.RemoveAt(index);
        Count--;
        if (items.Count == 0)
        {
            _rotation.Remove(node);
            _lines.Remove(userId);
        }

        return true;
    }

    /// <summary>The 1-based places of <paramref name="userId"/>'s waiting items, nearest first.</summary>
    public IReadOnlyList<int> PositionsOf(string userId)
    {
        if (!_lines.TryGetValue(userId, out var own))
        {
            return [];
        }

        var positions = new List<int>(own.Value.Items.Count);
        foreach (var item in own.Value.Items)
        {
            positions.Add(PositionOf(userId, item));
        }

        return positions;
    }

    /// <summary>
    /// The 1-based place of <paramref name="item"/> in serving order, or 0 when it is not waiting.
    /// The k-th item of a user is served in round k; before it go every user's first k items, and in
    /// round k itself the users ahead in the rotation that still have a k-th item.
    /// </summary>
    public int PositionOf(string userId, T item)
    {
        if (!_lines.TryGetValue(userId, out var own))
        {
            return 0;
        }

        var round = own.Value.Items.IndexOf(item);
        if (round < 0)
        {
            return 0;
        }

        var ahead = 0;
        var beforeOwn = true;
        foreach (var line in _rotation)
        {
            if (ReferenceEquals(line, own.Value))
            {
                beforeOwn = false;
            }

            var count = line.Items.Count;
            ahead += Math.Min(count, round);
            if (beforeOwn && count > round)
            {
                ahead++;
            }
        }

        return ahead + 1;
    }

    private sealed class UserLine(string userId)
    {
        public string UserId { get; } = userId;

        public List<T> Items { get; } = [];
    }
}
