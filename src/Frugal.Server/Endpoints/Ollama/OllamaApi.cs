using System.Reflection;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts.Ollama;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>
/// The part of Ollama's API its clients use: <c>GET /api/tags</c>, <c>GET /api/ps</c>, <c>POST /api/show</c>,
/// <c>GET /api/version</c>, <c>POST /api/chat</c> and <c>POST /api/generate</c> (newline-delimited JSON unless
/// <c>"stream": false</c>), errors as <c>{"error": "..."}</c>. Chat and generate are a thin edge over the one
/// <see cref="ChatPipeline"/>, with the same keys, limits and per-user isolation as every API. Managing models over
/// the API (<c>/api/pull</c>, …) answers 501 pointing at the CLI. Beside <c>/api/sessions</c>, which is Frugal's own.
/// </summary>
public static class OllamaApi
{
    /// <summary>Maps Ollama's routes under <c>/api</c>, declaring Ollama's error shape for them.</summary>
    public static IEndpointRouteBuilder MapOllamaApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api").WithErrorDialect(ErrorDialect.Ollama);
        api.MapPost("/chat", ChatAsync);
        api.MapPost("/generate", GenerateAsync);
        api.MapGet("/tags", Tags);
        api.MapGet("/ps", Running);
        api.MapPost("/show", ShowAsync);
        api.MapGet("/version", Version);
        foreach (var route in (string[])["/pull", "/push", "/create", "/copy"])
        {
            api.MapPost(route, NotOffered);
        }

        api.MapDelete("/delete", NotOffered);
        return endpoints;
    }

    internal static async Task<IResult> ChatAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(OllamaApi));
        var body = await edge.ReadAsync(OllamaRequestReader.ParseChat).ConfigureAwait(false);
        var (request, tools) = OllamaRequestReader.ToChatRequest(body, edge.Engine.Model, edge.Engine.ContextSize);
        request = request is null ? null : request with { SessionKey = ConversationKey.ByOpening("ollama", edge.UserId, request.Messages) };
        var replies = new OllamaReplies(body.Model is { Length: > 0 } named ? named : edge.Engine.Model.Id, Chat: true, time, edge.Started) { Tools = tools };
        return await AnswerAsync(edge, request, body.Stream ?? true, replies).ConfigureAwait(false);
    }

    internal static async Task<IResult> GenerateAsync(HttpContext context, ChatPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var edge = DialectEdge.Start(context, pipeline, loggerFactory, typeof(OllamaApi));
        var body = await edge.ReadAsync(OllamaRequestReader.ParseGenerate).ConfigureAwait(false);
        var request = OllamaRequestReader.ToChatRequest(body, edge.Engine.Model, edge.Engine.ContextSize);
        var replies = new OllamaReplies(body.Model is { Length: > 0 } named ? named : edge.Engine.Model.Id, Chat: false, time, edge.Started);
        return await AnswerAsync(edge, request, body.Stream ?? true, replies).ConfigureAwait(false);
    }

    // A request with nothing to generate is answered as Ollama answers a load.
    private static async Task<IResult> AnswerAsync(DialectEdge edge, ChatRequest? request, bool stream, OllamaReplies replies) =>
        request is null
            ? TypedResults.Json(replies.Load(), OllamaJsonContext.Default.OllamaReply)
            : await edge.AnswerAsync(request, stream, replies).ConfigureAwait(false);

    // While the model loads (or after it failed) the lists are empty, as /v1/models is.
    internal static IResult Tags(EngineReadiness readiness) =>
        TypedResults.Json(new OllamaModelList(readiness.Engine is { } engine ? [OllamaModels.Entry(engine.Model)] : []), OllamaJsonContext.Default.OllamaModelList);

    internal static IResult Running(EngineReadiness readiness) =>
        TypedResults.Json(new OllamaModelList(readiness.Engine is { } engine ? [OllamaModels.Running(engine.Model, engine.ContextSize)] : []),
            OllamaJsonContext.Default.OllamaModelList);

    internal static async Task<IResult> ShowAsync(HttpContext context, EngineReadiness readiness)
    {
        var body = OllamaRequestReader.ParseShow((await RequestBody.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false)).Span);
        var engine = readiness.GetEngine();
        var name = body.Model ?? body.Name;
        if (name is not { Length: > 0 })
        {
            throw new ChatRequestException("'model' is required.", "model", "missing_required_parameter");
        }

        OllamaRequestReader.CheckModel(name, engine.Model);
        return TypedResults.Json(OllamaModels.Show(engine.Model, engine.ContextSize), OllamaJsonContext.Default.OllamaShowResponse);
    }

    // Frugal's own version (without the commit), which is what this server is.
    internal static IResult Version() =>
        TypedResults.Json(new OllamaVersion(FrugalVersion.Split('+')[0]), OllamaJsonContext.Default.OllamaVersion);

    internal static IResult NotOffered(HttpContext context) => TypedResults.Json(
        new OllamaError($"{context.Request.Path} is not offered: this server runs the one model it was started with. To get a model, run " +
                        "'frugal model pull NAME' on the server (see 'frugal model pull --help') and start 'frugal serve --model FILE' with it."),
        OllamaJsonContext.Default.OllamaError, statusCode: StatusCodes.Status501NotImplemented);

    private static string FrugalVersion { get; } =
        typeof(OllamaApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
