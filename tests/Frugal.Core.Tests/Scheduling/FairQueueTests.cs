using Frugal.Scheduling;

namespace Frugal.Tests.Scheduling;

public sealed class FairQueueTests
{
    [Fact]
    public void Dequeue_OneUserWithManyItems_AlternatesWithOtherUsers()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("alice", "a1");
        queue.Enqueue("alice", "a2");
        queue.Enqueue("alice", "a3");
        queue.Enqueue("bob", "b1");
        queue.Enqueue("carol", "c1");
        queue.Enqueue("bob", "b2");

        var order = new List<string>();
        while (queue.Dequeue() is { } item)
        {
            order.Add(item);
        }

        Assert.Equal(["a1", "b1", "c1", "a2", "b2", "a3"], order);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Dequeue_UserNotEligible_PassedOverAndKeepsItsPlace()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("alice", "a1");
        queue.Enqueue("alice", "a2");
        queue.Enqueue("bob", "b1");
        queue.Enqueue("carol", "c1");

        Assert.Equal("b1", queue.Dequeue(user => user != "alice"));
        Assert.Null(queue.Dequeue(user => user == "bob"));
        Assert.Equal(2, queue.CountOf("alice"));
        Assert.Equal(["a1", "c1", "a2"], [queue.Dequeue()!, queue.Dequeue()!, queue.Dequeue()!]);
        Assert.Equal(0, queue.CountOf("alice"));
    }

    [Fact]
    public void PositionsOf_UserWithSeveralItems_ListsTheirPlacesNearestFirst()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("alice", "a1");
        queue.Enqueue("alice", "a2");
        queue.Enqueue("bob", "b1");

        Assert.Equal([1, 3], queue.PositionsOf("alice"));
        Assert.Equal([2], queue.PositionsOf("bob"));
        Assert.Empty(queue.PositionsOf("carol"));
    }

    [Fact]
    public void PositionOf_MixedUsers_MatchesServingOrder()
    {
        var queue = new FairQueue<string>();
        string[] items = ["a1", "a2", "a3", "b1", "c1", "b2", "c2", "c3", "d1"];
        foreach (var item in items)
        {
            queue.Enqueue(item[..1], item);
        }

        var positions = items.ToDictionary(item => item, item => queue.PositionOf(item[..1], item));
        var served = new List<string>();
        while (queue.Dequeue() is { } item)
        {
            served.Add(item);
        }

        for (var i = 0; i < served.Count; i++)
        {
            Assert.Equal(i + 1, positions[served[i]]);
        }
    }

    [Fact]
    public void PositionOf_AfterEachDequeue_StaysConsistentWithServingOrder()
    {
        var queue = new FairQueue<string>();
        string[] items = ["a1", "a2", "b1", "a3", "c1", "b2"];
        foreach (var item in items)
        {
            queue.Enqueue(item[..1], item);
        }

        queue.Dequeue();
        queue.Enqueue("d", "d1");
        var expected = new List<string>();
        var snapshot = queue.Items.ToDictionary(item => item, item => queue.PositionOf(item[..1], item));
        while (queue.Dequeue() is { } item)
        {
            expected.Add(item);
        }

        Assert.Equal(expected.Count, snapshot.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(i + 1, snapshot[expected[i]]);
        }
    }

    [Fact]
    public void Remove_WaitingItem_LeavesAndMovesOthersUp()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("alice", "a1");
        queue.Enqueue("bob", "b1");
        queue.Enqueue("bob", "b2");

        Assert.Equal(3, queue.PositionOf("bob", "b2"));
        Assert.True(queue.Remove("alice", "a1"));

        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.PositionOf("bob", "b1"));
        Assert.Equal(2, queue.PositionOf("bob", "b2"));
        Assert.Equal(0, queue.PositionOf("alice", "a1"));
        Assert.False(queue.Remove("alice", "a1"));
    }

    [Fact]
    public void Enqueue_NewUser_GoesAheadOfOthersSecondItems()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("alice", "a1");
        queue.Enqueue("alice", "a2");
        queue.Enqueue("bob", "b1");

        Assert.Equal(2, queue.PositionOf("bob", "b1"));
        Assert.Equal(3, queue.PositionOf("alice", "a2"));
    }
}
