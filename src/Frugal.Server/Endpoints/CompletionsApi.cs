using System.Diagnostics;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints;

/// <summary>
/// <c>POST /v1/completions</c>, OpenAI's legacy completions: the prompt (text or token ids) is read as given, without
/// the chat template, and continued; streaming (SSE) or not. A thin edge over the same <see cref="ChatPipeline"/> as
/// chat completions (validation, rates, memory, the fair queue, the engine), answered in OpenAI's shapes.
/// </summary>
public static class CompletionsApi
{
    /// <summary>Maps <c>POST /v1/completions</c>.</summary>
    public static IEndpointRouteBuilder MapCompletionsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/completions", CreateCompletionAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateCompletionAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        var body = CompletionRequestReader.Parse((await RequestBody.ReadAsync(context.Request, aborted).ConfigureAwait(false)).Span);
        var engine = pipeline.Engine;
        var request = CompletionRequestReader.ToChatRequest(body, engine.Model);
        var user = context.GetFrugalUser();
        await using var reply = await AdmittedReply.StartAsync(pipeline, user.Id, request, aborted).ConfigureAwait(false);
        var identity = CompletionIdentity.Create(time, engine.Model.Id, "cmpl-");
        var stream = body.Stream ?? false;
        var report = new CompletionReport(loggerFactory.CreateLogger(typeof(CompletionsApi)), user.Id, stream, started);
        var memory = reply.Admission.Memory;
        if (stream)
        {
            var format = new TextCompletionStreamFormat(identity, body.StreamOptions?.IncludeUsage ?? false, memory, report);
            await SseWriter.Start(context, memory).StreamAsync(reply.Rest(), format).ConfigureAwait(false);
            return Results.Empty;
        }

        var whole = await reply.CollectAsync(aborted).ConfigureAwait(false);
        var stats = whole.Stats!;
        report.QueuedAt = whole.FirstQueuePosition;
        report.Completed(stats);
        ResponseNotes.WriteMemoryHeaders(context.Response, memory);
        ResponseNotes.WriteCacheHeader(context.Response, stats);
        var answer = new TextCompletion(identity.Id, identity.Created, identity.Model,
            [new TextCompletionChoice(whole.Text, 0, ChatCompletionsApi.FinishReasonName(stats.FinishReason))])
        {
            Usage = ChatCompletionsApi.Usage(stats),
            Frugal = ResponseNotes.Info(stats, memory),
        };
        return TypedResults.Json(answer, OpenAIJsonContext.Default.TextCompletion);
    }
}
