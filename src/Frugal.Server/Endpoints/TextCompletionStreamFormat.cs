using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts;

namespace Frugal.Server.Endpoints;

/// <summary>
/// A streamed text completion framed as OpenAI frames it: one <c>text_completion</c> event per piece of text, then
/// one with empty text and the finish reason (and Frugal's <c>"frugal"</c> extension), then (when asked) one with
/// the usage and no choices, then <c>data: [DONE]</c>. With <c>echo</c> the prompt's text is the first event; with
/// <c>logprobs</c> each event carries its tokens' (their <c>text_offset</c> counted through the stream).
/// </summary>
internal sealed class TextCompletionStreamFormat(
    CompletionIdentity identity, bool includeUsage, MemoryNotice? memory, CompletionReport report, string? echo = null, bool logprobs = false)
    : ISseReplyFormat
{
    private int _offset;

    public Task OpenAsync(SseWriter writer) => echo is { Length: > 0 } ? TextAsync(writer, echo) : Task.CompletedTask;

    public Task TextAsync(SseWriter writer, string text) =>
        writer.DataAsync(Event(new TextCompletionChoice(text, 0, null)), OpenAIJsonContext.Default.TextCompletion);

    public Task PieceAsync(SseWriter writer, ChatUpdate update)
    {
        var choice = new TextCompletionChoice(update.Text, 0, null) { Logprobs = logprobs ? LogprobsWire.Legacy(update.Logprobs ?? [], ref _offset) : null };
        return writer.DataAsync(Event(choice), OpenAIJsonContext.Default.TextCompletion);
    }

    public Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        var finish = Event(new TextCompletionChoice("", 0, ChatCompletionsApi.FinishReasonName(stats.FinishReason))) with
        {
            Frugal = ResponseNotes.Info(stats, memory),
        };
        var usage = includeUsage ? new TextCompletion(identity.Id, identity.Created, identity.Model, []) { Usage = ChatCompletionsApi.Usage(stats) } : null;
        return OpenAIStreamEnd.FinishAsync(writer, finish, usage, OpenAIJsonContext.Default.TextCompletion);
    }

    public Task FailedAsync(SseWriter writer, Exception exception) => OpenAIStreamEnd.FailedAsync(writer, report, exception);

    private TextCompletion Event(TextCompletionChoice choice) => new(identity.Id, identity.Created, identity.Model, [choice]);
}
