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
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(AnthropicMessagesApi));
        var body = await edge.ReadAsync(AnthropicRequestReader.Parse).ConfigureAwait(false);
        var (request, tools) = AnthropicRequestReader.ToChatRequest(body, edge.Engine.Model);
        request = request with { SessionKey = ConversationKey.ByOpening("anthropic", edge.UserId, request.Messages) };
        var shape = new AnthropicShape($"msg_{Guid.NewGuid():N}", body.Model is { Length: > 0 } named ? named : edge.Engine.Model.Id, tools);
        return await edge.AnswerAsync(request, body.Stream ?? false, shape).ConfigureAwait(false);
    }

    // Counting reads the prompt the model would read (its chat template included), as the pipeline counts it, and is
    // counted against the caller's request rate.
    internal static async Task<IResult> CountTokensAsync(HttpContext context, ChatPipeline pipeline)
    {
        var body = AnthropicRequestReader.Parse((await RequestBody.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false)).Span);
        var engine = pipeline.Engine;
        var (conversation, _) = AnthropicRequestReader.ReadConversation(body, engine.Model);
        return TypedResults.Json(new TokenCount(pipeline.CountPromptTokens(context.GetFrugalUser().Id, conversation)), AnthropicJsonContext.Default.TokenCount);
    }
}
