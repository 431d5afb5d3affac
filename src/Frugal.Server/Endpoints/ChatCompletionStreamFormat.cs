using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Frugal.Tools;

namespace Frugal.Server.Endpoints;

/// <summary>
/// A streamed chat completion framed exactly as OpenAI frames it: first a chunk with the role, then one per piece
/// of text, then one with the finish reason (and Frugal's <c>"frugal"</c> extension: cached, memory pressure,
/// what it cut), then (when asked) one with the usage, then <c>data: [DONE]</c>. Under tools the reply is one JSON
/// object read when complete: then its calls go out as OpenAI's tool-call deltas (id and name, then the arguments)
/// with finish reason <c>tool_calls</c>, or its text as one piece.
/// </summary>
internal sealed class ChatCompletionStreamFormat(
    CompletionIdentity identity, bool includeUsage, MemoryNotice? memory, CompletionReport report, ToolUse? tools = null, bool logprobs = false)
    : ISseReplyFormat
{
    private bool _roleSent;

    public Task TextAsync(SseWriter writer, string text) => tools is null ? SendTextAsync(writer, text) : Task.CompletedTask;

    public Task PieceAsync(SseWriter writer, ChatUpdate update) =>
        tools is null ? SendTextAsync(writer, update.Text, logprobs ? LogprobsWire.Chat(update.Logprobs ?? []) : null) : Task.CompletedTask;

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        var finishReason = ChatCompletionsApi.FinishReasonName(stats.FinishReason);
        if (tools is not null)
        {
            var read = ToolUse.Read(reply.Text);
            if (read.HasCalls)
            {
                await SendCallsAsync(writer, read.Calls).ConfigureAwait(false);
                finishReason = ChatCompletionsApi.ToolCallsFinishReason;
            }
            else if (read.Text is { Length: > 0 } text)
            {
                await SendTextAsync(writer, text).ConfigureAwait(false);
            }
        }

        await FinishAsync(writer, stats, reply, finishReason).ConfigureAwait(false);
    }

    private async Task SendCallsAsync(SseWriter writer, IReadOnlyList<ToolCall> calls)
    {
        await SendRoleAsync(writer).ConfigureAwait(false);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            ChatCompletionToolCall opening = new() { Index = i, Id = call.Id, Type = "function", Function = new() { Name = call.Name, Arguments = "" } };
            ChatCompletionToolCall arguments = new() { Index = i, Function = new() { Arguments = call.Arguments } };
            await writer.DataAsync(Chunk(new ChatCompletionDelta { ToolCalls = [opening] }, null), OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
            await writer.DataAsync(Chunk(new ChatCompletionDelta { ToolCalls = [arguments] }, null), OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
        }
    }

    private async Task SendTextAsync(SseWriter writer, string text, ChatCompletionLogprobs? textLogprobs = null)
    {
        await SendRoleAsync(writer).ConfigureAwait(false);
        await writer.DataAsync(Chunk(new ChatCompletionDelta { Content = text }, null, textLogprobs), OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
    }

    private async Task FinishAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply, string finishReason)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        await SendRoleAsync(writer).ConfigureAwait(false);
        var finish = Chunk(new ChatCompletionDelta(), finishReason) with { Frugal = ResponseNotes.Info(stats, memory) };
        var usage = includeUsage ? new ChatCompletionChunk(identity.Id, identity.Created, identity.Model, []) { Usage = ChatCompletionsApi.Usage(stats) } : null;
        await OpenAIStreamEnd.FinishAsync(writer, finish, usage, OpenAIJsonContext.Default.ChatCompletionChunk).ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception) => OpenAIStreamEnd.FailedAsync(writer, report, exception);

    private Task SendRoleAsync(SseWriter writer)
    {
        if (_roleSent)
        {
            return Task.CompletedTask;
        }

        _roleSent = true;
        return writer.DataAsync(Chunk(new ChatCompletionDelta { Role = "assistant", Content = "" }, null), OpenAIJsonContext.Default.ChatCompletionChunk);
    }

    private ChatCompletionChunk Chunk(ChatCompletionDelta delta, string? finishReason, ChatCompletionLogprobs? chunkLogprobs = null) =>
        new(identity.Id, identity.Created, identity.Model, [new ChatCompletionChunkChoice(0, delta, finishReason) { Logprobs = chunkLogprobs }]);
}
