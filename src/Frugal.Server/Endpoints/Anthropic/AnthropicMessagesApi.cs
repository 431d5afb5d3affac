using System.Diagnostics;
using Frugal.Conversations;
using Frugal.Requests;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>
/// Anthropic's Messages API: <c>POST /v1/messages</c> (streamed as named server-sent events or whole) and
/// <c>POST /v1/messages/count_tokens</c>, keys as <c>x-api-key</c> or bearer, errors in Anthropic's shape. A thin edge
/// over the one <see cref="ChatPipeline"/>, with the same limits and per-user isolation as every API.
/// </summary>
public static class AnthropicMessagesApi
{
    /// <summary>Maps <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c>, declaring Anthropic's error shape.</summary>
    public static IEndpointRouteBuilder MapAnthropicMessagesApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var messages = endpoints.MapGroup("/v1/messages").WithErrorDialect(ErrorDialect.Anthropic);
        messages.MapPost("", CreateMessageAsync);
        messages.MapPost("/count_tokens", CountTokensAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateMessageAsync(HttpContext context, ChatPipeline pipeline, ILoggerFactory loggerFactory)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        var body = AnthropicRequestReader.Parse((await RequestBody.ReadAsync(context.Request, aborted).ConfigureAwait(false)).Span);
        var engine = pipeline.Engine;
        var request = AnthropicRequestReader.ToChatRequest(body, engine.Model);
        var user = context.GetFrugalUser();
        request = request with { SessionKey = ConversationKey.ByOpening("anthropic", user.Id, request.Messages) };
        await using var reply = await AdmittedReply.StartAsync(pipeline, user.Id, request, aborted).ConfigureAwait(false);
        var id = $"msg_{Guid.NewGuid():N}";
        var model = body.Model is { Length: > 0 } named ? named : engine.Model.Id;
        var stream = body.Stream ?? false;
        var report = new CompletionReport(loggerFactory.CreateLogger(typeof(AnthropicMessagesApi)), user.Id, stream, started);
        var memory = reply.Admission.Memory;
        if (stream)
        {
            var format = new AnthropicStreamFormat(id, model, reply.Admission.PromptTokens, report);
            var writer = SseWriter.Start(context, memory);
            await format.OpenAsync(writer).ConfigureAwait(false);
            await writer.StreamAsync(reply.Rest(), format).ConfigureAwait(false);
            return Results.Empty;
        }

        var whole = await reply.CollectAsync(aborted).ConfigureAwait(false);
        var stats = whole.Stats!;
        report.QueuedAt = whole.FirstQueuePosition;
        report.Completed(stats);
        ResponseNotes.WriteMemoryHeaders(context.Response, memory);
        ResponseNotes.WriteCacheHeader(context.Response, stats);
        var answer = new MessageResponse(id, model, [new TextBlock(whole.Text)], AnthropicReplies.Usage(stats))
        {
            StopReason = AnthropicReplies.StopReason(stats),
            StopSequence = stats.StopSequence,
            Frugal = ResponseNotes.Info(stats, memory),
        };
        return TypedResults.Json(answer, AnthropicJsonContext.Default.MessageResponse);
    }

    // Counting reads the prompt the model would read (its chat template included), as the pipeline counts it.
    internal static async Task<IResult> CountTokensAsync(HttpContext context, ChatPipeline pipeline)
    {
        var body = AnthropicRequestReader.Parse((await RequestBody.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false)).Span);
        var engine = pipeline.Engine;
        var conversation = AnthropicRequestReader.ReadConversation(body, engine.Model);
        return TypedResults.Json(new TokenCount(engine.CountPromptTokens(conversation)), AnthropicJsonContext.Default.TokenCount);
    }
}
