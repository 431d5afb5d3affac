using System.Diagnostics;
using System.Text;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
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

    internal static async Task<IResult> CreateChatCompletionAsync(
        HttpContext context,
        EngineReadiness readiness,
        IGenerationScheduler scheduler,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = context.RequestAborted;
        var body = await ReadBodyAsync(context.Request, aborted).ConfigureAwait(false);
        var (parsed, parseError) = ChatRequestReader.Parse(body.Span);
        if (parseError is not null)
        {
            return ToResult(parseError);
        }

        var engine = readiness.GetEngine();
        var (request, error) = ChatRequestReader.Validate(parsed!, engine);
        if (error is not null)
        {
            return ToResult(error);
        }

        var user = context.GetFrugalUser();
        var generation = request!.Generation with { SessionKey = ConversationKey.ByOpening("v1", user.Id, request.Generation.Messages) };
        var enumerator = scheduler.RunAsync(user.Id, generation, aborted).GetAsyncEnumerator(aborted);
        bool hasFirst;
        try
        {
            // The queue's verdict comes with the first step: a full queue throws here, before any byte is sent (503).
            hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        catch
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var identity = CompletionIdentity.Create(time, ModelsApi.ModelId(engine.Model));
        var report = new CompletionReport(loggerFactory.CreateLogger(typeof(ChatCompletionsApi)), user.Id, request.Stream, started);
        if (request.Stream)
        {
            return new ChatCompletionStreamResult(enumerator, hasFirst, identity, request.IncludeUsage, report);
        }

        await using (enumerator.ConfigureAwait(false))
        {
            return await CollectAsync(context.Response, enumerator, hasFirst, identity, report, aborted).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> CollectAsync(
        HttpResponse httpResponse, IAsyncEnumerator<ScheduledUpdate> updates, bool hasCurrent, CompletionIdentity identity, CompletionReport report, CancellationToken aborted)
    {
        var text = new StringBuilder();
        GenerationStats? stats = null;
        var memory = hasCurrent ? updates.Current.Memory : null;
        while (hasCurrent)
        {
            if (updates.Current.QueuePosition is { } position && report.QueuedAt == 0)
            {
                report.QueuedAt = position;
            }

            if (updates.Current.Generation is { } generation)
            {
                text.Append(generation.Text);
                stats = generation.Completed ?? stats;
            }

            hasCurrent = await updates.MoveNextAsync().ConfigureAwait(false);
        }

        // The engine ends a cancelled generation quietly; the client is gone, so nobody needs an answer.
        aborted.ThrowIfCancellationRequested();
        if (stats is null)
        {
            throw new InvalidOperationException("The generation ended without its figures.");
        }

        report.Completed(stats);
        var response = new ChatCompletionResponse(
            identity.Id,
            identity.Created,
            identity.Model,
            [new ChatCompletionChoice(0, new ChatCompletionResponseMessage(text.ToString()), FinishReasonName(stats.FinishReason))],
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

    /// <summary>OpenAI's finish reasons; a cancelled generation only reaches a client that is still there as "stop".</summary>
    internal static string FinishReasonName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    private static IResult ToResult(ChatRequestError error) => ApiErrors.Create(error.StatusCode, error.Message, error.Param, error.Code);

    // Kestrel enforces the body size limit while this reads (413 through the error middleware).
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
