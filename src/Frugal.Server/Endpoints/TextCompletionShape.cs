using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>A legacy completion in OpenAI's shapes: streamed <c>text_completion</c> events, or one whole.</summary>
internal sealed record TextCompletionShape(CompletionIdentity Identity, bool IncludeUsage) : IReplyShape
{
    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) =>
        new TextCompletionStreamFormat(Identity, IncludeUsage, admission.Memory, report);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory) => TypedResults.Json(
        new TextCompletion(Identity.Id, Identity.Created, Identity.Model,
            [new TextCompletionChoice(reply.Text, 0, ChatCompletionsApi.FinishReasonName(stats.FinishReason))])
        {
            Usage = ChatCompletionsApi.Usage(stats),
            Frugal = ResponseNotes.Info(stats, memory),
        },
        OpenAIJsonContext.Default.TextCompletion);
}
