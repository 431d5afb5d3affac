using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

public static partial class SessionsApi
{
    /// <summary>
    /// Sends the user's message and answers the reply. Everything the caller can get wrong surfaces in
    /// <see cref="ConversationService.StartTurnAsync"/>, before any byte is written, and becomes a 4xx/503
    /// through <see cref="ErrorHandlingMiddleware"/>. Once streaming, a failure becomes a final <c>error</c>
    /// event. A client that goes away cancels the turn; the partial reply is stored.
    /// </summary>
    public static async Task SendMessageAsync(string id, HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.SendMessageRequest).ConfigureAwait(false);
        var options = new SendOptions { MaxTokens = body.MaxTokens, Temperature = body.Temperature };
        var turn = await conversations.StartTurnAsync(context.GetFrugalUser().Id, id, body.Content ?? "", options, context.RequestAborted).ConfigureAwait(false);
        await using (turn.ConfigureAwait(false))
        {
            if (body.Stream == true)
            {
                var writer = SseWriter.Start(context, turn.Admission.Memory);
                await writer.DataAsync(StartEvent(turn), ReplyEventJsonContext.Default.ReplyEvent).ConfigureAwait(false);
                await writer.StreamAsync(turn.ReadAsync(), new SessionReplyFormat(turn)).ConfigureAwait(false);
            }
            else
            {
                await AnswerWholeAsync(context, turn).ConfigureAwait(false);
            }
        }
    }

    private static async Task AnswerWholeAsync(HttpContext context, ConversationTurn turn)
    {
        _ = await ReplyBuilder.CollectAsync(turn.ReadAsync(), context.RequestAborted).ConfigureAwait(false);
        var reply = turn.Reply ?? throw new InvalidOperationException("The conversation ended without a reply.");
        var stats = reply.Stats;
        var answer = new SendMessageResponse(
            "session.reply",
            ToResource(turn.UserMessage),
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
            ContextShifted = stats.ShiftedOutTokens > 0,
        };
        ResponseNotes.WriteMemoryHeaders(context.Response, reply.Memory);
        ResponseNotes.WriteCacheHeader(context.Response, stats);
        await context.Response.WriteAsJsonAsync(answer, ServerJsonContext.Default.SendMessageResponse, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    private static ReplyEvent StartEvent(ConversationTurn turn) => new()
    {
        Type = "start",
        UserMessage = ToResource(turn.UserMessage),
        OmittedMessages = turn.Admission.AllOmittedMessages,
        PromptTokens = turn.Admission.PromptTokens,
        MemoryPressure = turn.Admission.Memory?.LevelName,
        Restricted = turn.Admission.Memory is { Restricted: true } memory ? memory.Describe() : null,
    };

    /// <summary>The sessions API's events: <c>delta</c> per piece, <c>done</c> with the stored reply, <c>error</c>.</summary>
    private sealed class SessionReplyFormat(ConversationTurn turn) : ISseReplyFormat
    {
        public Task TextAsync(SseWriter writer, string text) =>
            writer.DataAsync(new ReplyEvent { Type = "delta", Content = text }, ReplyEventJsonContext.Default.ReplyEvent);

        public Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
        {
            var stored = turn.Reply ?? throw new InvalidOperationException("The reply was not stored.");
            return writer.DataAsync(new ReplyEvent
            {
                Type = "done",
                Message = ToResource(stored.Message),
                FinishReason = stored.Message.FinishReason,
                Usage = Usage(stored),
                OmittedMessages = stored.OmittedMessages,
                TtftMs = stats.TimeToFirstToken.TotalMilliseconds,
                PromptTokensPerSecond = stats.PromptTokensPerSecond,
                TokensPerSecond = stats.DecodeTokensPerSecond,
                Cached = stats.Cached,
                MemoryPressure = stored.Memory?.LevelName,
                Restricted = stored.Memory?.Describe() ?? [],
                ContextShifted = stats.ShiftedOutTokens > 0,
            }, ReplyEventJsonContext.Default.ReplyEvent);
        }

        // The detail stays in the conversation service's log line, not here.
        public Task FailedAsync(SseWriter writer, Exception exception) => writer.DataAsync(new ReplyEvent
        {
            Type = "error",
            Error = ApiErrors.Body("The reply failed; the text produced so far was stored.", ErrorTypes.Server, null, "generation_failed").Error,
        }, ReplyEventJsonContext.Default.ReplyEvent);
    }

    private static ReplyUsage Usage(ConversationReply reply) => new(
        reply.Stats.PromptTokens,
        reply.Stats.CompletionTokens,
        reply.Stats.PromptTokens + reply.Stats.CompletionTokens,
        reply.Stats.CachedPromptTokens);
}
