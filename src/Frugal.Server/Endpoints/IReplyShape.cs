using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>How one dialect answers an admitted reply (<see cref="DialectEdge.AnswerAsync"/>): its stream's events, or the whole reply at once.</summary>
internal interface IReplyShape
{
    /// <summary>True: the stream is newline-delimited JSON (Ollama's); false: server-sent events.</summary>
    bool Ndjson => false;

    /// <summary>The events of the streamed reply.</summary>
    ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report);

    /// <summary>The answer with the whole reply (the report is written and the memory and cache headers are set).</summary>
    IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory);
}
