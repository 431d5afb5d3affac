using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts.Anthropic;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>A message in Anthropic's shapes: named stream events, or one <c>message</c>.</summary>
/// <param name="Id">The message id (<c>msg_…</c>).</param>
/// <param name="Model">The model the caller named (or this server's).</param>
internal sealed record AnthropicShape(string Id, string Model) : IReplyShape
{
    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) => new AnthropicStreamFormat(Id, Model, admission.PromptTokens, report);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory) => TypedResults.Json(
        new MessageResponse(Id, Model, [new TextBlock(reply.Text)], AnthropicReplies.Usage(stats))
        {
            StopReason = AnthropicReplies.StopReason(stats),
            StopSequence = stats.StopSequence,
            Frugal = ResponseNotes.Info(stats, memory),
        },
        AnthropicJsonContext.Default.MessageResponse);
}
