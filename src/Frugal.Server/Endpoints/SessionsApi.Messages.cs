using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

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
        var start = body.VersionOf is { } edited ? TurnStart.Edit(edited, body.Content ?? "") : TurnStart.Send(body.Content ?? "");
        await RunTurnAsync(context, conversations, id, start, body.Settings, body.Stream == true).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers a user's message again: <c>message_id</c> names the reply to replace (a new version of it) or the user's
    /// message to answer. The earlier replies are kept as versions; the reply streams exactly as a send's.
    /// </summary>
    public static async Task RegenerateAsync(string id, string messageId, HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.RegenerateRequest).ConfigureAwait(false);
        var start = TurnStart.Regenerate(ParseMessageId(messageId));
        await RunTurnAsync(context, conversations, id, start, body.Settings, body.Stream == true).ConfigureAwait(false);
    }

    /// <summary>Shows the version <c>message_id</c>: the branch through it becomes the one shown and continued; answers the new message list.</summary>
    public static async Task<JsonHttpResult<ListResponse<MessageResource>>> SelectVersionAsync(
        string id, string messageId, HttpContext context, ConversationService conversations)
    {
        var tree = await conversations.SelectVersionAsync(context.GetFrugalUser().Id, id, ParseMessageId(messageId), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(BranchOf(tree), ServerJsonContext.Default.ListResponseMessageResource);
    }

    // A message id is a positive whole number; anything else names no message.
    private static long ParseMessageId(string messageId) =>
        long.TryParse(messageId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new ChatRequestException($"'{(messageId.Length > 40 ? messageId[..40] + "…" : messageId)}' is not a message id (a positive whole number).", "message_id", "invalid_value");

    private static async Task RunTurnAsync(HttpContext context, ConversationService conversations, string id, TurnStart start, ChatSettings settings, bool stream)
    {
        var turn = await conversations.StartTurnAsync(context.GetFrugalUser().Id, id, start, settings, context.RequestAborted).ConfigureAwait(false);
        var versions = new TurnVersions(context, conversations, id);
        await using (turn.ConfigureAwait(false))
        {
            if (stream)
            {
                var userMessage = await versions.OfAsync(turn.UserMessage).ConfigureAwait(false);
                var writer = SseWriter.Start(context, turn.Admission.Memory);
                await writer.DataAsync(StartEvent(turn, userMessage), ReplyEventJsonContext.Default.ReplyEvent).ConfigureAwait(false);
                await writer.StreamAsync(turn.ReadAsync(), new SessionReplyFormat(turn, versions)).ConfigureAwait(false);
            }
            else
            {
                await AnswerWholeAsync(context, turn, versions).ConfigureAwait(false);
            }
        }
    }

    private static async Task AnswerWholeAsync(HttpContext context, ConversationTurn turn, TurnVersions versions)
    {
        _ = await ReplyBuilder.CollectAsync(turn.ReadAsync(), context.RequestAborted).ConfigureAwait(false);
        var reply = turn.Reply ?? throw new InvalidOperationException("The conversation ended without a reply.");
        var stats = reply.Stats;
        var (userMessage, replyMessage) = await versions.OfAsync(turn.UserMessage, reply.Message).ConfigureAwait(false);
        var answer = new SendMessageResponse(
            "session.reply",
            userMessage,
            replyMessage,
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

    private static ReplyEvent StartEvent(ConversationTurn turn, MessageResource userMessage) => new()
    {
        Type = "start",
        UserMessage = userMessage,
        OmittedMessages = turn.Admission.AllOmittedMessages,
        PromptTokens = turn.Admission.PromptTokens,
        MemoryPressure = turn.Admission.Memory?.LevelName,
        Restricted = turn.Admission.Memory is { Restricted: true } memory ? memory.Describe() : null,
    };

    /// <summary>The sessions API's events: <c>delta</c> per piece, <c>done</c> with the stored reply, <c>error</c>.</summary>
    private sealed class SessionReplyFormat(ConversationTurn turn, TurnVersions versions) : ISseReplyFormat
    {
        public Task TextAsync(SseWriter writer, string text) =>
            writer.DataAsync(new ReplyEvent { Type = "delta", Content = text }, ReplyEventJsonContext.Default.ReplyEvent);

        public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
        {
            var stored = turn.Reply ?? throw new InvalidOperationException("The reply was not stored.");
            var message = await versions.OfAsync(stored.Message).ConfigureAwait(false);
            await writer.DataAsync(new ReplyEvent
            {
                Type = "done",
                Message = message,
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
            }, ReplyEventJsonContext.Default.ReplyEvent).ConfigureAwait(false);
        }

        // The detail stays in the conversation service's log line, not here.
        public Task FailedAsync(SseWriter writer, Exception exception) => writer.DataAsync(new ReplyEvent
        {
            Type = "error",
            Error = ApiErrors.Body("The reply failed; the text produced so far was stored.", ErrorTypes.Server, null, "generation_failed").Error,
        }, ReplyEventJsonContext.Default.ReplyEvent);
    }

    /// <summary>A turn's messages with their versions as the message list shows them (read when they are stored).</summary>
    private sealed class TurnVersions(HttpContext context, ConversationService conversations, string sessionId)
    {
        public async Task<MessageResource> OfAsync(StoredMessage message) => (await OfAsync([message]).ConfigureAwait(false))[0];

        public async Task<(MessageResource User, MessageResource Reply)> OfAsync(StoredMessage user, StoredMessage reply)
        {
            var both = await OfAsync([user, reply]).ConfigureAwait(false);
            return (both[0], both[1]);
        }

        private async Task<MessageResource[]> OfAsync(StoredMessage[] messages)
        {
            var tree = await conversations.GetMessagesAsync(context.GetFrugalUser().Id, sessionId, context.RequestAborted).ConfigureAwait(false);
            return [.. messages.Select(m => ToResource(m, tree?.Find(m.Id) is { } found ? tree.VersionsOf(found) : [m.Id]))];
        }
    }

    private static ReplyUsage Usage(ConversationReply reply) => new(
        reply.Stats.PromptTokens,
        reply.Stats.CompletionTokens,
        reply.Stats.PromptTokens + reply.Stats.CompletionTokens,
        reply.Stats.CachedPromptTokens);
}
