using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// A streamed message framed as Anthropic frames it, every event named: <c>message_start</c> (the empty message with
/// its input tokens), <c>content_block_start</c>, <c>ping</c>, one <c>content_block_delta</c> per piece of text,
/// <c>content_block_stop</c>, <c>message_delta</c> (stop reason, output tokens), <c>message_stop</c>; a failure after
/// the stream began is an <c>error</c> event.
/// </summary>
internal sealed class AnthropicStreamFormat(string id, string model, int promptTokens, CompletionReport report) : ISseReplyFormat
{
    private static Task SendAsync(SseWriter writer, MessageStreamEvent value) =>
        writer.EventAsync(value.Type, value, AnthropicJsonContext.Default.MessageStreamEvent);

    /// <summary>The events before any text: the message, its text block, a ping.</summary>
    public async Task OpenAsync(SseWriter writer)
    {
        var message = new MessageResponse(id, model, [], new MessageUsage { InputTokens = promptTokens, OutputTokens = 0 });
        await SendAsync(writer, new MessageStreamEvent("message_start") { Message = message }).ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("content_block_start") { Index = 0, ContentBlock = new TextBlock("") }).ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("ping")).ConfigureAwait(false);
    }

    public Task TextAsync(SseWriter writer, string text) =>
        SendAsync(writer, new MessageStreamEvent("content_block_delta") { Index = 0, Delta = StreamDelta.OfText(text) });

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        await SendAsync(writer, new MessageStreamEvent("content_block_stop") { Index = 0 }).ConfigureAwait(false);
        var delta = new StreamDelta { StopReason = AnthropicReplies.StopReason(stats), StopSequence = stats.StopSequence };
        await SendAsync(writer, new MessageStreamEvent("message_delta") { Delta = delta, Usage = new MessageUsage { OutputTokens = stats.CompletionTokens } })
            .ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("message_stop")).ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception)
    {
        report.Failed(exception);
        return SendAsync(writer, new MessageStreamEvent("error") { Error = new AnthropicError("api_error", "The generation failed on the server.") });
    }
}
