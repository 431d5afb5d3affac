using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Frugal.Scheduling;

/// <summary>
/// The bounded buffer between a generation and its reader (an HTTP response, a stored turn): the generation runs
/// at the engine's pace whatever the reader does, and its worker is handed on the moment it ends, not when the
/// reader has taken the last of it. A reader slower than the engine reads from the buffer; when the buffer stays
/// full past <see cref="SchedulerOptions.SlowReaderTimeout"/>, the generation is cancelled: the reader still gets
/// what was made (and the figures, finish reason <see cref="Inference.FinishReason.Cancelled"/>), so its partial
/// reply is kept. One slow socket never holds the box's only worker for longer than that.
/// </summary>
internal static class ReplyBuffer
{
    /// <summary>
    /// Runs <paramref name="generate"/> into a buffer of <paramref name="capacity"/> updates and streams them;
    /// <paramref name="generationEnded"/> is called once, as soon as the generation's stream ends;
    /// <paramref name="readerStalled"/> when the buffer stayed full past <paramref name="stallLimit"/>.
    /// Cancelling <paramref name="cancellationToken"/> cancels the generation; its last update still arrives.
    /// </summary>
    public static async IAsyncEnumerable<ChatUpdate> ReadAsync(
        Func<CancellationToken, IAsyncEnumerable<ChatUpdate>> generate, int capacity, TimeSpan stallLimit, TimeProvider time,
        Action generationEnded, Action readerStalled, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ChatUpdate>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var readerGone = new CancellationTokenSource();
        var pump = new Pump(channel.Writer, stop, readerGone.Token, stallLimit, time, generationEnded, readerStalled);
        var pumping = pump.RunAsync(generate(stop.Token));
        try
        {
            // Not the caller's token: a cancelled generation still ends with its figures, read here.
            while (await channel.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var update))
                {
                    yield return update;
                }
            }
        }
        finally
        {
            // The reader is done (or gone): stop the generation if it still runs, and let the pump finish.
            await readerGone.CancelAsync().ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await pumping.ConfigureAwait(false);
        }
    }

    private sealed class Pump(
        ChannelWriter<ChatUpdate> writer, CancellationTokenSource stop, CancellationToken readerGone, TimeSpan stallLimit, TimeProvider time,
        Action generationEnded, Action readerStalled)
    {
        // What the generation made after the reader stalled (a step or two and the figures), handed on after it ended.
        private readonly List<ChatUpdate> _overflow = [];

        public async Task RunAsync(IAsyncEnumerable<ChatUpdate> generation)
        {
            Exception? failure = null;
            try
            {
                await foreach (var update in generation.ConfigureAwait(false))
                {
                    if (_overflow.Count == 0 && (writer.TryWrite(update) || await WaitForRoomAsync(update).ConfigureAwait(false)))
                    {
                        continue;
                    }

                    if (_overflow.Count == 0 && !readerGone.IsCancellationRequested)
                    {
                        readerStalled();
                        await stop.CancelAsync().ConfigureAwait(false);
                    }

                    _overflow.Add(update);
                }
            }
#pragma warning disable CA1031 // Any failure of the generation goes to the reader, which rethrows it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
            finally
            {
                generationEnded();
            }

            await HandOnAsync().ConfigureAwait(false);
            writer.TryComplete(failure);
        }

        private async Task<bool> WaitForRoomAsync(ChatUpdate update)
        {
            using var stall = new CancellationTokenSource(stallLimit, time);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stall.Token, readerGone);
            try
            {
                while (await writer.WaitToWriteAsync(waiting.Token).ConfigureAwait(false))
                {
                    if (writer.TryWrite(update))
                    {
                        return true;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The buffer stayed full past the limit, or the reader left.
            }

            return false;
        }

        private async Task HandOnAsync()
        {
            try
            {
                foreach (var update in _overflow)
                {
                    await writer.WriteAsync(update, readerGone).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The reader left: nobody to hand them to.
            }
        }
    }
}
