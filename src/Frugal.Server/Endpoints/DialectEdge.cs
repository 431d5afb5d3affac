using System.Diagnostics;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The one path of every dialect's generating endpoint: read the body (<see cref="ReadAsync{T}"/>), which the dialect
/// turns into a <see cref="ChatRequest"/>, then <see cref="AnswerAsync"/>: admit it (<see cref="AdmittedReply"/>; a full
/// queue or a user's limit throws before any byte is sent), then stream it in the dialect's framing or collect the whole
/// reply, with the one log line and the memory and cache headers.
/// </summary>
internal sealed class DialectEdge
{
    private readonly HttpContext _context;
    private readonly ChatPipeline _pipeline;
    private readonly ILogger _logger;

    private DialectEdge(HttpContext context, ChatPipeline pipeline, ILogger logger)
    {
        _context = context;
        _pipeline = pipeline;
        _logger = logger;
        Started = Stopwatch.GetTimestamp();
        UserId = context.GetFrugalUser().Id;
    }

    /// <summary>When the request arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Started { get; }

    /// <summary>The caller's user id.</summary>
    public string UserId { get; }

    /// <summary>The engine the pipeline runs (its model, context, tokenizer).</summary>
    public IInferenceEngine Engine => _pipeline.Engine;

    /// <summary>Starts the edge of a request to <paramref name="api"/> (its log category).</summary>
    public static DialectEdge Start(HttpContext context, ChatPipeline pipeline, ILoggerFactory loggerFactory, Type api)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new DialectEdge(context, pipeline, loggerFactory.CreateLogger(api));
    }

    /// <summary>Reads the whole body and parses it with the dialect's reader.</summary>
    public async Task<T> ReadAsync<T>(BodyParser<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var body = await RequestBody.ReadAsync(_context.Request, _context.RequestAborted).ConfigureAwait(false);
        return parse(body.Span);
    }

    /// <summary>Runs <paramref name="request"/> and answers it in <paramref name="shape"/>, streamed or whole.</summary>
    public async Task<IResult> AnswerAsync(ChatRequest request, bool stream, IReplyShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var aborted = _context.RequestAborted;
        await using var reply = await AdmittedReply.StartAsync(_pipeline, UserId, request, aborted).ConfigureAwait(false);
        var report = new CompletionReport(_logger, UserId, stream, Started);
        var memory = reply.Admission.Memory;
        if (stream)
        {
            var writer = shape.Ndjson ? SseWriter.StartNdjson(_context, memory) : SseWriter.Start(_context, memory);
            await writer.StreamAsync(reply.Rest(), shape.Stream(reply.Admission, report)).ConfigureAwait(false);
            return Results.Empty;
        }

        var whole = await reply.CollectAsync(aborted).ConfigureAwait(false);
        var stats = whole.Stats!;
        report.QueuedAt = whole.FirstQueuePosition;
        report.Completed(stats);
        ResponseNotes.WriteMemoryHeaders(_context.Response, memory);
        ResponseNotes.WriteCacheHeader(_context.Response, stats);
        return shape.Whole(whole, stats, memory);
    }
}
