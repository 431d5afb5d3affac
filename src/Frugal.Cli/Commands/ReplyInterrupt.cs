namespace Frugal.Cli.Commands;

/// <summary>
/// Ctrl-C in <c>frugal chat</c>: it belongs to the reply being written, which it stops; the program keeps running.
/// </summary>
internal sealed class ReplyInterrupt : IDisposable
{
    private CancellationTokenSource? _reply;

    public ReplyInterrupt() => Console.CancelKeyPress += OnCancel;

    /// <summary>A reply starts: Ctrl-C cancels the returned source until <see cref="End"/>.</summary>
    public CancellationTokenSource Begin()
    {
        var reply = new CancellationTokenSource();
        Volatile.Write(ref _reply, reply);
        return reply;
    }

    public void End() => Volatile.Write(ref _reply, null);

    public void Dispose() => Console.CancelKeyPress -= OnCancel;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Volatile.Read(ref _reply)?.Cancel();
    }
}
