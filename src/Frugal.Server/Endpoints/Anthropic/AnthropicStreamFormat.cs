using System.Text.Json;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// A streamed message framed as Anthropic frames it, every event named: <c>message_start</c> (the empty message with
/// its input tokens), <c>content_block_start</c>, <c>ping</c>, one <c>content_block_delta</c> per piece of text,
/// <c>content_block_stop</c>, <c>message_delta</c> (stop reason, output tokens), <c>message_stop</c>; a failure after
/// the stream began is an <c>error</c> event. Under tools the reply is one JSON object read when complete: then its
/// blocks follow the ping, each <c>tool_use</c> block as its start (empty input), one <c>input_json_delta</c> and its stop.
/// </summary>
internal sealed class AnthropicStreamFormat(AnthropicShape shape, int promptTokens, CompletionReport report) : ISseReplyFormat
{
    private static Task SendAsync(SseWriter writer, MessageStreamEvent value) =>
        writer.EventAsync(value.Type, value, AnthropicJsonContext.Default.MessageStreamEvent);

    /// <summary>The events before any text: the message, its text block (without tools), a ping.</summary>
    public async Task OpenAsync(SseWriter writer)
    {
        var message = new MessageResponse(shape.Id, shape.Model, [], new MessageUsage { InputTokens = promptTokens, OutputTokens = 0 });
        await SendAsync(writer, new MessageStreamEvent("message_start") { Message = message }).ConfigureAwait(false);
        if (shape.Tools is null)
        {
            await SendAsync(writer, new MessageStreamEvent("content_block_start") { Index = 0, ContentBlock = ContentBlock.OfText("") }).ConfigureAwait(false);
        }

        await SendAsync(writer, new MessageStreamEvent("ping")).ConfigureAwait(false);
    }

    public Task TextAsync(SseWriter writer, string text) => shape.Tools is null
        ? SendAsync(writer, new MessageStreamEvent("content_block_delta") { Index = 0, Delta = StreamDelta.OfText(text) })
        : Task.CompletedTask;

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        var (content, stopReason) = shape.Content(reply.Text, stats);
        if (shape.Tools is null)
        {
            await SendAsync(writer, new MessageStreamEvent("content_block_stop") { Index = 0 }).ConfigureAwait(false);
        }
        else
        {
            for (var i = 0; i < content.Count; i++)
            {
                await SendBlockAsync(writer, i, content[i]).ConfigureAwait(false);
            }
        }

        var delta = new StreamDelta { StopReason = stopReason, StopSequence = stats.StopSequence };
        await SendAsync(writer, new MessageStreamEvent("message_delta") { Delta = delta, Usage = new MessageUsage { OutputTokens = stats.CompletionTokens } })
            .ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("message_stop")).ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception)
    {
        report.Failed(exception);
        return SendAsync(writer, new MessageStreamEvent("error") { Error = new AnthropicError("api_error", "The generation failed on the server.") });
    }

    // A whole block as its start, one delta and its stop.
    private static async Task SendBlockAsync(SseWriter writer, int index, ContentBlock block)
    {
        var (start, delta) = block.Input is { } input
            ? (block with { Input = EmptyInput }, StreamDelta.OfJson(input.GetRawText()))
            : (ContentBlock.OfText(""), StreamDelta.OfText(block.Text ?? ""));
        await SendAsync(writer, new MessageStreamEvent("content_block_start") { Index = index, ContentBlock = start }).ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("content_block_delta") { Index = index, Delta = delta }).ConfigureAwait(false);
        await SendAsync(writer, new MessageStreamEvent("content_block_stop") { Index = index }).ConfigureAwait(false);
    }

    private static JsonElement EmptyInput { get; } = EmptyObject();

    private static JsonElement EmptyObject()
    {
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }
}
