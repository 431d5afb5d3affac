namespace Frugal.Testing;

/// <summary>
/// A listing of messages held back by <see cref="ObservedConversationStore.HoldNextMessageList"/>: <see cref="Reached"/>
/// once the store has read the list, which goes to the reader when <see cref="Release"/> is called (or on dispose).
/// </summary>
public sealed class MessageListHold : IDisposable
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held listing has been read from the store.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public void Dispose() => Release();

    internal Task HoldAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}
