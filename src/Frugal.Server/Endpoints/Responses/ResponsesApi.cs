using Frugal.Conversations;
using Frugal.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints.Responses;

/// <summary>
/// <c>POST /v1/responses</c>, OpenAI's Responses API in its stateless form (nothing is stored: the conversation comes in
/// <c>input</c>): a thin edge over the same <see cref="ChatPipeline"/> as chat completions, answered as a <c>response</c>
/// object or its stream of events, errors in OpenAI's shape.
/// </summary>
public static class ResponsesApi
{
    /// <summary>Maps <c>POST /v1/responses</c>.</summary>
    public static IEndpointRouteBuilder MapResponsesApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/responses", CreateResponseAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateResponseAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(ResponsesApi));
        var body = await edge.ReadAsync(ResponsesRequestReader.Parse).ConfigureAwait(false);
        var request = ResponsesRequestReader.ToChatRequest(body, edge.Engine.Model);
        request = request with { SessionKey = ConversationKey.ByOpening("responses", edge.UserId, request.Messages) };
        var shape = new ResponsesShape($"resp_{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds(), body.Model is { Length: > 0 } named ? named : edge.Engine.Model.Id, body);
        return await edge.AnswerAsync(request, body.Stream ?? false, shape).ConfigureAwait(false);
    }
}
