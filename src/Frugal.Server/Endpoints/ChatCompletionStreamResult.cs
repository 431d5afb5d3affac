using System.Globalization;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Writes a streamed chat completion as server-sent events, exactly as OpenAI frames them: each event
/// is <c>data: JSON\n\n</c>; first a chunk with the role, then one per piece of text, then one with
/// the finish reason (and Frugal's <c>"frugal"</c> extension: cached, memory pressure, what it cut), then (when asked) one with the usage, then <c>data: [DONE]</c>. While the request
/// waits, SSE comments <c>: queued N</c> say its place in line (clients ignore comments).
/// Written by hand because the framework's SSE result cannot write comments.
/// </summary>
internal sealed class ChatCompletionStreamResult(
    IAsyncEnumerator<ScheduledUpdate> updates,
    bool hasCurrent,
    CompletionIdentity identity,
    bool includeUsage,
    CompletionReport report) : IResult
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var memory = hasCurrent ? updates.Current.Memory : null;
        ResponseNotes.WriteMemoryHeaders(response, memory);
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await using (updates.ConfigureAwait(false))
        {
            GenerationStats? stats = null;
            var roleSent = false;
            try
            {
                while (hasCurrent)
                {
                    var update = updates.Current;
                    if (update.QueuePosition is { } position)
                    {
                        report.QueuedAt = report.QueuedAt == 0 ? position : report.QueuedAt;
                        await WriteRawAsync(response, Encoding($": queued {position.ToString(CultureInfo.InvariantCulture)}\n\n"), aborted).ConfigureAwait(false);
                    }
                    else if (update.Generation is { } generation)
                    {
                        if (!roleSent)
                        {
                            roleSent = true;
                            await WriteChunkAsync(response, Chunk(new ChatCompletionDelta { Role = "assistant", Content = "" }, null), aborted).ConfigureAwait(false);
                        }

                        if (generation.Text.Length > 0)
                        {
                            await WriteChunkAsync(response, Chunk(new ChatCompletionDelta { Content = generation.Text }, null), aborted).ConfigureAwait(false);
                        }

                        stats = generation.Completed ?? stats;
                    }

                    hasCurrent = await updates.MoveNextAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!aborted.IsCancellationRequested && e is not OperationCanceledException)
            {
                // The stream has begun, so the status cannot change: the error goes in an event of its own.
                report.Failed(e);
                var error = ApiErrors.Body("The generation failed on the server.", ErrorTypes.Server, code: "generation_failed");
                await WriteRawAsync(response, Encoding($"data: {ApiErrors.ToJson(error)}\n\n"), aborted).ConfigureAwait(false);
                return;
            }

            if (aborted.IsCancellationRequested || stats is null)
            {
                return;
            }

            report.Completed(stats);
            var finish = Chunk(new ChatCompletionDelta(), ChatCompletionsApi.FinishReasonName(stats.FinishReason)) with { Frugal = ResponseNotes.Info(stats, memory) };
            await WriteChunkAsync(response, finish, aborted).ConfigureAwait(false);
            if (includeUsage)
            {
                var usage = new ChatCompletionChunk(identity.Id, identity.Created, identity.Model, []) { Usage = ChatCompletionsApi.Usage(stats) };
                await WriteChunkAsync(response, usage, aborted).ConfigureAwait(false);
            }

            await WriteRawAsync(response, Done, aborted).ConfigureAwait(false);
        }
    }

    private ChatCompletionChunk Chunk(ChatCompletionDelta delta, string? finishReason) =>
        new(identity.Id, identity.Created, identity.Model, [new ChatCompletionChunkChoice(0, delta, finishReason)]);

    private static byte[] Encoding(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static async Task WriteChunkAsync(HttpResponse response, ChatCompletionChunk chunk, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(chunk, OpenAIJsonContext.Default.ChatCompletionChunk);
        var frame = new byte[DataPrefix.Length + json.Length + EventEnd.Length];
        DataPrefix.CopyTo(frame, 0);
        json.CopyTo(frame, DataPrefix.Length);
        EventEnd.CopyTo(frame, DataPrefix.Length + json.Length);
        await WriteRawAsync(response, frame, cancellationToken).ConfigureAwait(false);
    }

    // One write and one flush per event, so each event leaves at once and never splits across flushes.
    private static async Task WriteRawAsync(HttpResponse response, byte[] bytes, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
