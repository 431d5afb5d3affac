using System.Globalization;
using System.Text;
using System.Text.Json;
using Frugal.Conversations;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Frugal.Server.Endpoints;

public static partial class SessionsApi
{
    /// <summary>
    /// Sends the user's message and answers the reply. Everything the caller can get wrong surfaces in
    /// the first step of <see cref="ConversationService.SendAsync"/>, before any byte is written, and
    /// becomes a 4xx/503 through <see cref="ErrorHandlingMiddleware"/>. Once streaming, a failure becomes a
    /// final <c>error</c> event. A client that goes away cancels the turn; the partial reply is stored.
    /// </summary>
    public static async Task SendMessageAsync(string id, HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.SendMessageRequest).ConfigureAwait(false);
        var options = new SendOptions { MaxTokens = body.MaxTokens, Temperature = body.Temperature };
        var aborted = context.RequestAborted;
        var updates = conversations.SendAsync(context.GetFrugalUser().Id, id, body.Content ?? "", options, aborted).GetAsyncEnumerator(aborted);
        await using (updates.ConfigureAwait(false))
        {
            // Throws before anything is written: not found, bad input, queue full, model not loaded.
            if (!await updates.MoveNextAsync().ConfigureAwait(false) || updates.Current.Started is not { } started)
            {
                throw new InvalidOperationException("The conversation did not start.");
            }

            if (body.Stream == true)
            {
                await StreamAsync(context, updates, started).ConfigureAwait(false);
            }
            else
            {
                await AnswerWholeAsync(context, updates, started).ConfigureAwait(false);
            }
        }
    }

    private static async Task AnswerWholeAsync(HttpContext context, IAsyncEnumerator<ConversationUpdate> updates, ConversationStart started)
    {
        while (await updates.MoveNextAsync().ConfigureAwait(false))
        {
            if (updates.Current.Completed is { } reply)
            {
                var stats = reply.Stats;
                var answer = new SendMessageResponse(
                    "session.reply",
                    ToResource(started.UserMessage),
                    ToResource(reply.Message),
                    reply.Message.FinishReason ?? "stop",
                    Usage(reply),
                    reply.OmittedMessages,
                    stats.TimeToFirstToken.TotalMilliseconds,
                    stats.PromptTokensPerSecond,
                    stats.DecodeTokensPerSecond)
                {
                    Cached = stats.Cached,
                    MemoryPressure = reply.Memory?.LevelName,
                    Restricted = reply.Memory?.Describe() ?? [],
                };
                ResponseNotes.WriteMemoryHeaders(context.Response, reply.Memory ?? started.Memory);
                ResponseNotes.WriteCacheHeader(context.Response, stats);
                await context.Response.WriteAsJsonAsync(answer, ServerJsonContext.Default.SendMessageResponse, contentType: null, context.RequestAborted).ConfigureAwait(false);
                return;
            }
        }

        throw new InvalidOperationException("The conversation ended without a reply.");
    }

    private static async Task StreamAsync(HttpContext context, IAsyncEnumerator<ConversationUpdate> updates, ConversationStart started)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        ResponseNotes.WriteMemoryHeaders(response, started.Memory);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = context.RequestAborted;

        await WriteEventAsync(response, new ReplyEvent
        {
            Type = "start",
            UserMessage = ToResource(started.UserMessage),
            OmittedMessages = started.OmittedMessages,
            PromptTokens = started.PromptTokens,
            MemoryPressure = started.Memory?.LevelName,
            Restricted = started.Memory is { Restricted: true } memory ? memory.Describe() : null,
        }, aborted).ConfigureAwait(false);

        try
        {
            while (await updates.MoveNextAsync().ConfigureAwait(false))
            {
                var update = updates.Current;
                if (update.QueuePosition is { } position)
                {
                    await WriteRawAsync(response, string.Create(CultureInfo.InvariantCulture, $": queued position {position}\n\n"), aborted).ConfigureAwait(false);
                }
                else if (update.Text is { } text)
                {
                    await WriteEventAsync(response, new ReplyEvent { Type = "delta", Content = text }, aborted).ConfigureAwait(false);
                }
                else if (update.Completed is { } reply)
                {
                    await WriteEventAsync(response, new ReplyEvent
                    {
                        Type = "done",
                        Message = ToResource(reply.Message),
                        FinishReason = reply.Message.FinishReason,
                        Usage = Usage(reply),
                        OmittedMessages = reply.OmittedMessages,
                        TtftMs = reply.Stats.TimeToFirstToken.TotalMilliseconds,
                        PromptTokensPerSecond = reply.Stats.PromptTokensPerSecond,
                        TokensPerSecond = reply.Stats.DecodeTokensPerSecond,
                        Cached = reply.Stats.Cached,
                        MemoryPressure = reply.Memory?.LevelName,
                        Restricted = reply.Memory?.Describe() ?? [],
                    }, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (!aborted.IsCancellationRequested && e is not OperationCanceledException)
        {
            // The status line is gone; the failure travels as the stream's last event. ErrorHandlingMiddleware
            // is not reached, so the detail stays in the conversation service's log line, not here.
            var error = ApiErrors.Body("The reply failed; the text produced so far was stored.", ErrorTypes.Server, null, "generation_failed");
            await WriteEventAsync(response, new ReplyEvent { Type = "error", Error = error.Error }, aborted).ConfigureAwait(false);
        }
    }

    private static ReplyUsage Usage(ConversationReply reply) => new(
        reply.Stats.PromptTokens,
        reply.Stats.CompletionTokens,
        reply.Stats.PromptTokens + reply.Stats.CompletionTokens,
        reply.Stats.CachedPromptTokens);

    private static Task WriteEventAsync(HttpResponse response, ReplyEvent replyEvent, CancellationToken cancellationToken) =>
        WriteRawAsync(response, "data: " + JsonSerializer.Serialize(replyEvent, ReplyEventJsonContext.Default.ReplyEvent) + "\n\n", cancellationToken);

    private static async Task WriteRawAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
