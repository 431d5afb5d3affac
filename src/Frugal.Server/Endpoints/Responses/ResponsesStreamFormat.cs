using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Responses;

namespace Frugal.Server.Endpoints.Responses;

/// <summary>
/// A streamed response framed as OpenAI frames it, every event named by its type and numbered: <c>response.created</c>,
/// <c>response.in_progress</c>, <c>response.output_item.added</c>, <c>response.content_part.added</c>, one
/// <c>response.output_text.delta</c> per piece of text, then <c>response.output_text.done</c>,
/// <c>response.content_part.done</c>, <c>response.output_item.done</c> and <c>response.completed</c> (or
/// <c>response.incomplete</c> when <c>max_output_tokens</c> ended it); a failure after the stream began is an <c>error</c> event.
/// </summary>
internal sealed class ResponsesStreamFormat(ResponsesShape shape, CompletionReport report) : ISseReplyFormat
{
    private int _sequence;

    public async Task OpenAsync(SseWriter writer)
    {
        var response = shape.Response(null, null);
        await SendAsync(writer, Event("response.created") with { Response = response }).ConfigureAwait(false);
        await SendAsync(writer, Event("response.in_progress") with { Response = response }).ConfigureAwait(false);
        await SendAsync(writer, Event("response.output_item.added") with { OutputIndex = 0, Item = shape.Message(null, "in_progress") }).ConfigureAwait(false);
        await SendAsync(writer, Part("response.content_part.added") with { Part = new ResponseOutputText("") }).ConfigureAwait(false);
    }

    public Task TextAsync(SseWriter writer, string text) => SendAsync(writer, Part("response.output_text.delta") with { Delta = text });

    public async Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply)
    {
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        var message = shape.Message(reply.Text, "completed");
        await SendAsync(writer, Part("response.output_text.done") with { Text = reply.Text }).ConfigureAwait(false);
        await SendAsync(writer, Part("response.content_part.done") with { Part = new ResponseOutputText(reply.Text) }).ConfigureAwait(false);
        await SendAsync(writer, Event("response.output_item.done") with { OutputIndex = 0, Item = message }).ConfigureAwait(false);
        var response = shape.Response(message, stats);
        await SendAsync(writer, Event(response.Status == "incomplete" ? "response.incomplete" : "response.completed") with { Response = response }).ConfigureAwait(false);
    }

    public Task FailedAsync(SseWriter writer, Exception exception)
    {
        report.Failed(exception);
        return SendAsync(writer, Event("error") with { Code = "generation_failed", Message = "The generation failed on the server." });
    }

    private ResponseStreamEvent Event(string type) => new(type, _sequence++);

    private ResponseStreamEvent Part(string type) => Event(type) with { ItemId = shape.MessageId, OutputIndex = 0, ContentIndex = 0 };

    private static Task SendAsync(SseWriter writer, ResponseStreamEvent value) => writer.EventAsync(value.Type, value, ResponsesJsonContext.Default.ResponseStreamEvent);
}
