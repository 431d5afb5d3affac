using System.Diagnostics;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Scheduling;
using Frugal.Server.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>
/// Outermost middleware: turns exceptions into OpenAI-style errors (bad request bodies → 400/413,
/// a full queue → 503 + Retry-After, a user's own limits → 429 + Retry-After, model not loaded → 503, anything else → 500 without details),
/// and writes one log line per request.
/// </summary>
internal sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer. 499 is nginx's "client closed request".
            context.Response.StatusCode = 499;
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, e).ConfigureAwait(false);
        }
        finally
        {
            Log.Request(logger, RequestLabels.ForLog(context.Request.Method), RequestLabels.ForLog(context.Request.Path.Value), context.Response.StatusCode,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.TryGetFrugalUser()?.Name ?? "-");
        }
    }

    private Task WriteErrorAsync(HttpContext context, Exception exception)
    {
        context.Response.Clear();
        switch (exception)
        {
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                return ApiErrors.WriteAsync(context, bad.StatusCode, "The request body is larger than this server accepts.", code: "request_too_large");
            case BadHttpRequestException bad:
                return ApiErrors.WriteAsync(context, bad.StatusCode, DescribeBadRequest(bad), code: "invalid_request");
            case QueueFullException full:
                ApiErrors.SetRetryAfter(context.Response, full.RetryAfter);
                return ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, full.Message, code: "queue_full");
            case UserLimitException limited:
                ApiErrors.SetRetryAfter(context.Response, limited.RetryAfter);
                return ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, limited.Message, code: "rate_limit_exceeded");
            case SessionNotFoundException notFound:
                return ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, notFound.Message, "id", "session_not_found");
            case MessageNotFoundException noMessage:
                return ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, noMessage.Message, "message_id", "message_not_found");
            case SessionBusyException busy:
                ApiErrors.SetRetryAfter(context.Response, busy.RetryAfter);
                return ApiErrors.WriteAsync(context, StatusCodes.Status409Conflict, busy.Message, "id", "session_busy");
            case var full when StorageFull.Is(full):
                ApiErrors.SetRetryAfter(context.Response, TimeSpan.FromSeconds(60));
                return ApiErrors.WriteAsync(context, StatusCodes.Status507InsufficientStorage,
                    "The server's disk is full, so nothing of this request was stored. Try again later.", code: "insufficient_storage");
            case StorageQuotaExceededException quota:
                return ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, quota.Message, code: "storage_quota_exceeded");
            case ChatRequestException invalid:
                return ApiErrors.WriteAsync(context, invalid.StatusCode, invalid.Message, invalid.Param, invalid.Code);
            case EngineNotReadyException notReady:
                ApiErrors.SetRetryAfter(context.Response, TimeSpan.FromSeconds(5));
                return ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, notReady.Message, code: "model_not_ready");
            default:
                Log.UnhandledError(logger, RequestLabels.ForLog(context.Request.Method), RequestLabels.ForLog(context.Request.Path.Value), exception);
                return ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "The server failed to handle the request.", code: "internal_error");
        }
    }

    // Minimal APIs wrap JSON errors ("'x' is an invalid start of a value. Path: $.content | LineNumber: 0 ...");
    // the inner JsonException names the place, which helps the client and reveals nothing.
    private static string DescribeBadRequest(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException json ? $"The request body is not valid JSON for this endpoint: {json.Message}" : bad.Message;
}
