using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Server.Contracts;

namespace Frugal.Server.Endpoints;

/// <summary>
/// A streamed chat completion framed exactly as OpenAI frames it: first a chunk with the role, then one per piece
/// of text, then one with the finish reason (and Frugal's <c>"frugal"</c> extension: cached, memory pressure,
/// what it cut), then (when asked) one with the usage, then <c>data: [DONE]</c>.
/// </summary>
internal sealed class ChatCompletionStreamFormat(CompletionIdentity identity, bool includeUsage, MemoryNotice? memory, CompletionReport report)
    : ISseReplyFormat
{
    private bool _roleSent;

    public async Task TextAsync(SseWriter writer, string text)
    {
        await SendRoleAsync(writer).ConfigureAwait(false);
        await writer.DataAsync(Chunk(new ChatCompletionDelta { Content = text }, null), OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
    }

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        await SendRoleAsync(writer).ConfigureAwait(false);
        var finish = Chunk(new ChatCompletionDelta(), ChatCompletionsApi.FinishReasonName(stats.FinishReason)) with { Frugal = ResponseNotes.Info(stats, memory) };
        await writer.DataAsync(finish, OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
        if (includeUsage)
        {
            var usage = new ChatCompletionChunk(identity.Id, identity.Created, identity.Model, []) { Usage = ChatCompletionsApi.Usage(stats) };
            await writer.DataAsync(usage, OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
        }

        await writer.DataAsync("[DONE]").ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception)
    {
        report.Failed(exception);
        return writer.DataAsync(ApiErrors.Body("The generation failed on the server.", ErrorTypes.Server, code: "generation_failed"),
            ServerJsonContext.Default.ErrorResponse);
    }

    private Task SendRoleAsync(SseWriter writer)
    {
        if (_roleSent)
        {
            return Task.CompletedTask;
        }

        _roleSent = true;
        return writer.DataAsync(Chunk(new ChatCompletionDelta { Role = "assistant", Content = "" }, null), OpenAIJsonContext.Default.ChatCompletionChunk);
    }

    private ChatCompletionChunk Chunk(ChatCompletionDelta delta, string? finishReason) =>
        new(identity.Id, identity.Created, identity.Model, [new ChatCompletionChunkChoice(0, delta, finishReason)]);
}
