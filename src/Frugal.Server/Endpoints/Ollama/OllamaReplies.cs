using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Contracts.Ollama;
using Frugal.Tools;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>Ollama's chat and generate answers: newline-delimited lines (a piece of text, the last line with the figures) or one whole, and a load.</summary>
/// <param name="Model">The model id the lines name.</param>
/// <param name="Chat">True: the text is a <c>message</c> (chat); false: a <c>response</c> (generate).</param>
/// <param name="Time">The clock of <c>created_at</c>.</param>
/// <param name="Started">When the request arrived (a <see cref="Stopwatch"/> timestamp), for <c>total_duration</c>.</param>
internal sealed record OllamaReplies(string Model, bool Chat, TimeProvider Time, long Started) : IReplyShape
{
    private const double NanosecondsPerSecond = 1e9;

    /// <summary>The tools offered (chat only): the reply is then read as calls or text when complete.</summary>
    public ToolUse? Tools { get; init; }

    public bool Ndjson => true;

    public ISseReplyFormat Stream(ChatAdmission admission, CompletionReport report) => new OllamaStreamFormat(this, report);

    public IResult Whole(ReplyBuilder reply, GenerationStats stats, MemoryNotice? memory) => TypedResults.Json(
        Tools is null ? Final(stats, reply.Text) : Final(stats, "") with { Message = Calls(reply.Text).Message },
        OllamaJsonContext.Default.OllamaReply);

    /// <summary>A piece of the reply (not done).</summary>
    public OllamaReply Piece(string text) => WithText(new OllamaReply(Model, Now(), Done: false), text);

    /// <summary>A reply written under <see cref="Tools"/>, read whole: its calls (<c>message.tool_calls</c>) or its text (not done).</summary>
    public OllamaReply Calls(string reply)
    {
        var read = ToolUse.Read(reply);
        var message = new OllamaMessage
        {
            Role = "assistant",
            Content = read.Text ?? "",
            ToolCalls = read.HasCalls ? [.. read.Calls.Select(ToWire)] : null,
        };
        return new OllamaReply(Model, Now(), Done: false) { Message = message };
    }

    /// <summary>The last line (or the whole answer, with <paramref name="text"/>): the reason and the figures.</summary>
    public OllamaReply Final(GenerationStats stats, string text)
    {
        var evaluated = Math.Max(0, stats.PromptTokens - stats.CachedPromptTokens);
        return WithText(new OllamaReply(Model, Now(), Done: true), text) with
        {
            DoneReason = stats.FinishReason == FinishReason.Length ? "length" : "stop",
            TotalDuration = (long)(Stopwatch.GetElapsedTime(Started).TotalSeconds * NanosecondsPerSecond),
            LoadDuration = 0,
            PromptEvalCount = stats.PromptTokens,
            PromptEvalDuration = Nanoseconds(evaluated, stats.PromptTokensPerSecond),
            EvalCount = stats.CompletionTokens,
            EvalDuration = Nanoseconds(stats.CompletionTokens, stats.DecodeTokensPerSecond),
        };
    }

    /// <summary>The answer to a request with nothing to generate (no messages, an empty prompt): the model is loaded.</summary>
    public OllamaReply Load() => WithText(new OllamaReply(Model, Now(), Done: true), "") with { DoneReason = "load" };

    private OllamaReply WithText(OllamaReply reply, string text) =>
        Chat ? reply with { Message = new OllamaMessage { Role = "assistant", Content = text } } : reply with { Response = text };

    private static OllamaToolCall ToWire(ToolCall call)
    {
        using var arguments = JsonDocument.Parse(call.Arguments);
        return new OllamaToolCall { Function = new OllamaCalledFunction { Name = call.Name, Arguments = arguments.RootElement.Clone() } };
    }

    // RFC 3339 in UTC with Ollama's fractional seconds.
    private string Now() => Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static long Nanoseconds(int tokens, double tokensPerSecond) =>
        tokens > 0 && tokensPerSecond > 0 ? (long)(tokens / tokensPerSecond * NanosecondsPerSecond) : 0;
}
