using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Tools;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>A message in Anthropic's shapes: named stream events, or one <c>message</c>.</summary>
/// <param name="Id">The message id (<c>msg_…</c>).</param>
/// <param name="Model">The model the caller named (or this server's).</param>
/// <param name="Tools">The tools offered (null: none): the reply is then read as <c>tool_use</c> blocks or text when complete.</param>
internal sealed record AnthropicShape(string Id, string Model, ToolUse? Tools) : IReplyShape
{
    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) => new AnthropicStreamFormat(this, admission.PromptTokens, report);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory)
    {
        var (content, stopReason) = Content(reply.Text, stats);
        return TypedResults.Json(
            new MessageResponse(Id, Model, content, AnthropicReplies.Usage(stats))
            {
                StopReason = stopReason,
                StopSequence = stats.StopSequence,
                Frugal = ResponseNotes.Info(stats, memory),
            },
            AnthropicJsonContext.Default.MessageResponse);
    }

    /// <summary>The content blocks of a complete reply and its stop reason (<c>tool_use</c> when it called tools).</summary>
    public (IReadOnlyList<ContentBlock> Content, string StopReason) Content(string text, GenerationStats stats)
    {
        if (Tools is null)
        {
            return ([ContentBlock.OfText(text)], AnthropicReplies.StopReason(stats));
        }

        var read = ToolUse.Read(text);
        return read.HasCalls
            ? ([.. read.Calls.Select(AnthropicReplies.ToolUseBlock)], AnthropicReplies.ToolUseStopReason)
            : ([ContentBlock.OfText(read.Text ?? "")], AnthropicReplies.StopReason(stats));
    }
}
