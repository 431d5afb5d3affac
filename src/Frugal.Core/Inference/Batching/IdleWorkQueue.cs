using System.Collections.Concurrent;

namespace Frugal.Inference.Batching;

/// <summary>
/// Work the decode loop does on its own thread only while no request runs or waits (a test's reset of
/// the context, a session's preparation for its next turn). Never delays a request: the loop takes one
/// item at a time and checks for arrivals in between.
/// </summary>
internal sealed class IdleWorkQueue
{
    private readonly ConcurrentQueue<(Action Work, TaskCompletionSource Done)> _items = new();

    /// <summary>Queues <paramref name="work"/>; the task ends when it has run (or with its exception).</summary>
    public Task EnqueueAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _items.Enqueue((work, done));
        return done.Task;
    }

    /// <summary>Runs the oldest queued item; false when there was none.</summary>
    public bool RunOne()
    {
        if (!_items.TryDequeue(out var item))
        {
            return false;
        }

        try
        {
            item.Work();
            item.Done.TrySetResult();
        }
#pragma warning disable CA1031 // Idle work's caller sees its failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            item.Done.TrySetException(e);
        }

        return true;
    }

    /// <summary>Cancels what never ran (the loop is ending).</summary>
    public void CancelAll()
    {
        while (_items.TryDequeue(out var item))
        {
            item.Done.TrySetCanceled();
        }
    }
}
