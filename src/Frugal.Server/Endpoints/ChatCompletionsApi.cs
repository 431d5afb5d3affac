using System.Diagnostics;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Frugal.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>, OpenAI-compatible, streaming (SSE) or not. Each request carries its
/// whole conversation; the engine keeps that conversation's KV state under a per-user key derived from
/// its opening (<see cref="ConversationKey"/>), so a follow-up evaluates only its new tokens.
/// A client that disconnects cancels its request.
/// </summary>
public static partial class ChatCompletionsApi
{
    /// <summary>Maps <c>POST /v1/chat/completions</c>.</summary>
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/chat/completions", CreateChatCompletionAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateChatCompletionAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        var body = ChatRequestReader.Parse((await RequestBody.ReadAsync(context.Request, aborted).ConfigureAwait(false)).Span);
        var engine = pipeline.Engine;
        var (request, tools) = ChatRequestReader.ToChatRequest(body, engine.Model);
        var user = context.GetFrugalUser();
        request = request with { SessionKey = ConversationKey.ByOpening("v1", user.Id, request.Messages) };
        await using var reply = await AdmittedReply.StartAsync(pipeline, user.Id, request, aborted).ConfigureAwait(false);
        var identity = CompletionIdentity.Create(time, engine.Model.Id);
        var stream = body.Stream ?? false;
        var report = new CompletionReport(loggerFactory.CreateLogger(typeof(ChatCompletionsApi)), user.Id, stream, started);
        if (stream)
        {
            var format = new ChatCompletionStreamFormat(identity, body.StreamOptions?.IncludeUsage ?? false, reply.Admission.Memory, report, tools);
            await SseWriter.Start(context, reply.Admission.Memory).StreamAsync(reply.Rest(), format).ConfigureAwait(false);
            return Results.Empty;
        }

        return Answer(context.Response, await reply.CollectAsync(aborted).ConfigureAwait(false), identity, report, tools);
    }

    private static IResult Answer(HttpResponse httpResponse, ReplyBuilder reply, CompletionIdentity identity, CompletionReport report, ToolUse? tools)
    {
        var stats = reply.Stats!;
        var (message, finishReason) = (new ChatCompletionResponseMessage(reply.Text), FinishReasonName(stats.FinishReason));
        if (tools is not null)
        {
            var read = ToolUse.Read(reply.Text);
            (message, finishReason) = read.HasCalls
                ? (new ChatCompletionResponseMessage(null) { ToolCalls = [.. read.Calls.Select(ToWire)] }, ToolCallsFinishReason)
                : (new ChatCompletionResponseMessage(read.Text), finishReason);
        }

        var memory = reply.Admission?.Memory;
        report.QueuedAt = reply.FirstQueuePosition;
        report.Completed(stats);
        var response = new ChatCompletionResponse(
            identity.Id,
            identity.Created,
            identity.Model,
            [new ChatCompletionChoice(0, message, finishReason)],
            Usage(stats))
        {
            Frugal = ResponseNotes.Info(stats, memory),
        };
        ResponseNotes.WriteMemoryHeaders(httpResponse, memory);
        ResponseNotes.WriteCacheHeader(httpResponse, stats);
        return TypedResults.Json(response, OpenAIJsonContext.Default.ChatCompletionResponse);
    }

    internal static CompletionUsage Usage(GenerationStats stats) =>
        new(stats.PromptTokens, stats.CompletionTokens, stats.PromptTokens + stats.CompletionTokens, new PromptTokensDetails(stats.CachedPromptTokens));

    /// <summary>The finish reason of a reply that called tools.</summary>
    internal const string ToolCallsFinishReason = "tool_calls";

    private static ChatCompletionToolCall ToWire(ToolCall call) =>
        new() { Id = call.Id, Type = "function", Function = new() { Name = call.Name, Arguments = call.Arguments } };

    /// <summary>OpenAI's finish reasons; a cancelled generation only reaches a client that is still there as "stop".</summary>
    internal static string FinishReasonName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";
}
