using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Ollama;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>
/// A streamed Ollama chat or generate answer, one JSON object a line: one per piece of text (<c>"done": false</c>), then
/// the last with empty text, <c>"done": true</c>, the reason and the figures (under tools, one line with the calls or the
/// text when the reply is complete, then the last); a failure after the stream began ends it
/// with Ollama's <c>{"error": "..."}</c> line.
/// </summary>
internal sealed class OllamaStreamFormat(OllamaReplies replies, CompletionReport report) : ISseReplyFormat
{
    // Under tools the reply is one JSON object, read when complete.
    public Task TextAsync(SseWriter writer, string text) =>
        replies.Tools is null ? writer.DataAsync(replies.Piece(text), OllamaJsonContext.Default.OllamaReply) : Task.CompletedTask;

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        if (replies.Tools is not null)
        {
            await writer.DataAsync(replies.Calls(reply.Text), OllamaJsonContext.Default.OllamaReply).ConfigureAwait(false);
        }

        await writer.DataAsync(replies.Final(stats, ""), OllamaJsonContext.Default.OllamaReply).ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception)
    {
        report.Failed(exception);
        return writer.DataAsync(new OllamaError("the generation failed on the server"), OllamaJsonContext.Default.OllamaError);
    }
}
