using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// A legacy completion in OpenAI's shapes: streamed <c>text_completion</c> events, or one whole; with <see cref="Echo"/>
/// (the prompt's text, or null) before the reply, and the tokens' log probabilities when <see cref="Logprobs"/>.
/// </summary>
internal sealed record TextCompletionShape(CompletionIdentity Identity, bool IncludeUsage, string? Echo = null, bool Logprobs = false) : IReplyShape
{
    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) =>
        new TextCompletionStreamFormat(Identity, IncludeUsage, admission.Memory, report, Echo, Logprobs);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory)
    {
        var offset = 0;
        var choice = new TextCompletionChoice(Echo + reply.Text, 0, ChatCompletionsApi.FinishReasonName(stats.FinishReason))
        {
            Logprobs = Logprobs ? LogprobsWire.Legacy(reply.Logprobs ?? [], ref offset) : null,
        };
        return TypedResults.Json(Answer(choice, stats, memory), OpenAIJsonContext.Default.TextCompletion);
    }

    private TextCompletion Answer(TextCompletionChoice choice, GenerationStats stats, MemoryNotice? memory) =>
        new(Identity.Id, Identity.Created, Identity.Model, [choice])
        {
            Usage = ChatCompletionsApi.Usage(stats),
            Frugal = ResponseNotes.Info(stats, memory),
        };
}
