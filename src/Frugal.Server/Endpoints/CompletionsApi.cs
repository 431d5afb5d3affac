using Frugal.Requests;
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
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(CompletionsApi));
        var body = await edge.ReadAsync(CompletionRequestReader.Parse).ConfigureAwait(false);
        var (request, echo) = CompletionRequestReader.ToChatRequest(body, edge.Engine.Model);
        var shape = new TextCompletionShape(CompletionIdentity.Create(time, edge.Engine.Model.Id, "cmpl-"), body.StreamOptions?.IncludeUsage ?? false, echo, request.Logprobs is not null);
        return await edge.AnswerAsync(request, body.Stream ?? false, shape).ConfigureAwait(false);
    }
}
