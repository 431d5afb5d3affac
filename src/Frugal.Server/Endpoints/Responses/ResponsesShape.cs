using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts.Responses;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints.Responses;

/// <summary>A response in OpenAI's Responses shapes: one <c>response</c> object with a message output item, or its stream of events.</summary>
internal sealed record ResponsesShape(string Id, long CreatedAt, string Model, ResponsesRequest Request) : IReplyShape
{
    /// <summary>The id of the one output message.</summary>
    public string MessageId { get; } = $"msg_{Guid.NewGuid():N}";

    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) => new ResponsesStreamFormat(this, report);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory) =>
        TypedResults.Json(Response(Message(reply.Text, "completed"), stats), ResponsesJsonContext.Default.ResponseObject);

    /// <summary>The response as it stands: in progress (no stats yet), or finished with its output and usage.</summary>
    public ResponseObject Response(ResponseOutputItem? message, GenerationStats? stats)
    {
        var incomplete = stats?.FinishReason == FinishReason.Length;
        var status = stats is null ? "in_progress" : incomplete ? "incomplete" : "completed";
        return new ResponseObject(Id, CreatedAt, Model, status, message is null ? [] : [message])
        {
            IncompleteDetails = incomplete ? new ResponseIncompleteDetails("max_output_tokens") : null,
            Usage = stats is null ? null : new ResponseUsage(stats.PromptTokens, new(stats.CachedPromptTokens), stats.CompletionTokens, new(0)),
            MaxOutputTokens = Request.MaxOutputTokens,
            Temperature = Request.Temperature,
            TopP = Request.TopP,
            Text = new ResponsesText(Request.Text?.Format ?? new ResponsesTextFormat { Type = "text" }),
            Truncation = Request.Truncation ?? "disabled",
            Metadata = Request.Metadata,
        };
    }

    /// <summary>The output message with <paramref name="text"/> (none while in progress: an empty part list).</summary>
    public ResponseOutputItem Message(string? text, string status) => new(MessageId, status, text is null ? [] : [new ResponseOutputText(text)]);
}
