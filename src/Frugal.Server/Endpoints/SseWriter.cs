using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The one writer of every streamed reply (the OpenAI and Anthropic APIs and the sessions API as server-sent events,
/// Ollama's as newline-delimited JSON): each event is <c>data: JSON\n\n</c> (named ones <c>event: NAME\ndata: JSON\n\n</c>;
/// in NDJSON one line of JSON), written and flushed on its own so it leaves at once and never splits; while the
/// request waits, SSE comments <c>: queued N</c> give its place in line (clients ignore comments; NDJSON has none).
/// What the events say is the <see cref="ISseReplyFormat"/>'s business. Written by hand because the framework's SSE
/// result cannot write comments.
/// </summary>
internal sealed class SseWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private readonly HttpResponse _response;
    private readonly CancellationToken _aborted;
    private readonly bool _ndjson;

    private SseWriter(HttpContext context, bool ndjson)
    {
        _response = context.Response;
        _aborted = context.RequestAborted;
        _ndjson = ndjson;
    }

    /// <summary>Starts the stream: status 200, the event-stream headers and the memory headers, no buffering.</summary>
    public static SseWriter Start(HttpContext context, MemoryNotice? memory) => Start(context, memory, "text/event-stream; charset=utf-8", ndjson: false);

    /// <summary>Starts a stream of newline-delimited JSON (Ollama's): one line per event, no comments.</summary>
    public static SseWriter StartNdjson(HttpContext context, MemoryNotice? memory) => Start(context, memory, "application/x-ndjson", ndjson: true);

    private static SseWriter Start(HttpContext context, MemoryNotice? memory, string contentType, bool ndjson)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        ResponseNotes.WriteMemoryHeaders(response, memory);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new SseWriter(context, ndjson);
    }

    /// <summary>
    /// Streams <paramref name="updates"/> (the request is admitted; its admission is not among them) in
    /// <paramref name="format"/>, and returns the reply it collected. A failure after the stream began
    /// goes out as the format's error event; a client that went away ends it quietly.
    /// </summary>
    public async Task<ReplyBuilder> StreamAsync(IAsyncEnumerable<ChatUpdate> updates, ISseReplyFormat format)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(format);
        var reply = new ReplyBuilder();
        await format.OpenAsync(this).ConfigureAwait(false);
        try
        {
            await foreach (var update in updates.ConfigureAwait(false))
            {
                reply.Add(update);
                if (update.QueuePosition is { } position && !_ndjson)
                {
                    await WriteAsync(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $": queued {position}\n\n"))).ConfigureAwait(false);
                }
                else if (update.Text.Length > 0)
                {
                    await format.PieceAsync(this, update).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (!_aborted.IsCancellationRequested && e is not OperationCanceledException)
        {
            // The status line is gone: the failure travels as the stream's last event.
            await format.FailedAsync(this, e).ConfigureAwait(false);
            return reply;
        }

        if (!_aborted.IsCancellationRequested && reply.Stats is { } stats)
        {
            await format.CompletedAsync(this, stats, reply).ConfigureAwait(false);
        }

        return reply;
    }

    /// <summary>Writes one <c>data:</c> event with <paramref name="value"/> as JSON (in NDJSON: one line).</summary>
    public Task DataAsync<T>(T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        if (_ndjson)
        {
            return WriteAsync([.. json, (byte)'\n']);
        }

        var frame = new byte[DataPrefix.Length + json.Length + EventEnd.Length];
        DataPrefix.CopyTo(frame, 0);
        json.CopyTo(frame, DataPrefix.Length);
        EventEnd.CopyTo(frame, DataPrefix.Length + json.Length);
        return WriteAsync(frame);
    }

    /// <summary>Writes one named event, <c>event: NAME\ndata: JSON\n\n</c> (Anthropic's stream names every event).</summary>
    public Task EventAsync<T>(string name, T value, JsonTypeInfo<T> type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        return WriteAsync([.. Encoding.UTF8.GetBytes($"event: {name}\n"), .. DataPrefix, .. json, .. EventEnd]);
    }

    /// <summary>Writes one <c>data:</c> event of raw text (<c>[DONE]</c>).</summary>
    public Task DataAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes($"data: {text}\n\n"));

    // One write and one flush per event, so each event leaves at once and never splits across flushes.
    private async Task WriteAsync(byte[] bytes)
    {
        await _response.Body.WriteAsync(bytes, _aborted).ConfigureAwait(false);
        await _response.Body.FlushAsync(_aborted).ConfigureAwait(false);
    }
}
