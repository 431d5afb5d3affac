using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Frugal.Tools;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>A chat completion in OpenAI's shapes: streamed chunks, or one <c>chat.completion</c> (under tools, its calls read from the reply).</summary>
internal sealed record ChatCompletionShape(CompletionIdentity Identity, bool IncludeUsage, ToolUse? Tools, bool Logprobs = false) : IReplyShape
{
    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) =>
        new ChatCompletionStreamFormat(Identity, IncludeUsage, admission.Memory, report, Tools, Logprobs);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory)
    {
        var (message, finishReason) = (new ChatCompletionResponseMessage(reply.Text), ChatCompletionsApi.FinishReasonName(stats.FinishReason));
        if (Tools is not null)
        {
            var read = ToolUse.Read(reply.Text);
            (message, finishReason) = read.HasCalls
                ? (new ChatCompletionResponseMessage(null) { ToolCalls = [.. read.Calls.Select(ToWire)] }, ChatCompletionsApi.ToolCallsFinishReason)
                : (new ChatCompletionResponseMessage(read.Text), finishReason);
        }

        var response = new ChatCompletionResponse(Identity.Id, Identity.Created, Identity.Model,
            [new ChatCompletionChoice(0, message, finishReason) { Logprobs = Logprobs ? LogprobsWire.Chat(reply.Logprobs ?? []) : null }], ChatCompletionsApi.Usage(stats))
        {
            Frugal = ResponseNotes.Info(stats, memory),
        };
        return TypedResults.Json(response, OpenAIJsonContext.Default.ChatCompletionResponse);
    }

    private static ChatCompletionToolCall ToWire(ToolCall call) =>
        new() { Id = call.Id, Type = "function", Function = new() { Name = call.Name, Arguments = call.Arguments } };
}
