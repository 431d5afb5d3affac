using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
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
public static class ChatCompletionsApi
{
    /// <summary>The finish reason of a reply that called tools.</summary>
    internal const string ToolCallsFinishReason = "tool_calls";

    /// <summary>Maps <c>POST /v1/chat/completions</c>.</summary>
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/chat/completions", CreateChatCompletionAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateChatCompletionAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(ChatCompletionsApi));
        var body = await edge.ReadAsync(ChatRequestReader.Parse).ConfigureAwait(false);
        var (request, tools) = ChatRequestReader.ToChatRequest(body, edge.Engine.Model);
        request = request with { SessionKey = ConversationKey.ByOpening("v1", edge.UserId, request.Messages) };
        var shape = new ChatCompletionShape(CompletionIdentity.Create(time, edge.Engine.Model.Id), body.StreamOptions?.IncludeUsage ?? false, tools, request.Logprobs is not null);
        return await edge.AnswerAsync(request, body.Stream ?? false, shape).ConfigureAwait(false);
    }

    internal static CompletionUsage Usage(GenerationStats stats) =>
        new(stats.PromptTokens, stats.CompletionTokens, stats.PromptTokens + stats.CompletionTokens, new PromptTokensDetails(stats.CachedPromptTokens));

    /// <summary>OpenAI's finish reasons; a cancelled generation only reaches a client that is still there as "stop".</summary>
    internal static string FinishReasonName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";
}
