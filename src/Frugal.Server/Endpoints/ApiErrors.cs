using System.Globalization;
using System.Text.Json;
using Frugal.Server.Contracts;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Server.Contracts.Ollama;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The one way every endpoint and middleware answers an error: OpenAI's
/// <c>{"error": {"message", "type", "param", "code"}}</c> with the right status code, or the shape of the
/// endpoint's <see cref="ErrorDialect"/> (Ollama's, Anthropic's). Messages are written for the client and never
/// carry exception details or internals.
/// </summary>
public static class ApiErrors
{
    /// <summary>An error body.</summary>
    public static ErrorResponse Body(string message, string type = ErrorTypes.InvalidRequest, string? param = null, string? code = null) =>
        new(new ErrorDetail(message, type, param, code));

    /// <summary>An error result with any status; the type follows the status (4xx invalid request, 5xx server).</summary>
    public static JsonHttpResult<ErrorResponse> Create(int statusCode, string message, string? param = null, string? code = null) =>
        TypedResults.Json(Body(message, TypeFor(statusCode), param, code), ServerJsonContext.Default.ErrorResponse, statusCode: statusCode);

    /// <summary>400: the request is malformed or a value is out of range; <paramref name="param"/> names the field.</summary>
    public static JsonHttpResult<ErrorResponse> BadRequest(string message, string? param = null, string? code = null) =>
        Create(StatusCodes.Status400BadRequest, message, param, code);

    /// <summary>404: unknown (or someone else's) resource; the message must not tell the two apart.</summary>
    public static JsonHttpResult<ErrorResponse> NotFound(string message, string? param = null, string? code = "not_found") =>
        Create(StatusCodes.Status404NotFound, message, param, code);

    /// <summary>503 with a <c>Retry-After</c> header (whole seconds, at least 1).</summary>
    public static IResult ServiceUnavailable(string message, TimeSpan retryAfter, string? code = null) =>
        new RetryAfterResult(Create(StatusCodes.Status503ServiceUnavailable, message, code: code), retryAfter);

    /// <summary>
    /// Writes an error directly to a response that has not started (middleware, SSE before the first byte), in the
    /// <see cref="ErrorDialect"/> the request's endpoint declares (OpenAI's when none).
    /// </summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string message, string? param = null, string? code = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = statusCode;
        var aborted = context.RequestAborted;
        return DialectOf(context) switch
        {
            ErrorDialect.Ollama => response.WriteAsJsonAsync(new OllamaError(message), OllamaJsonContext.Default.OllamaError, contentType: null, aborted),
            ErrorDialect.Anthropic => response.WriteAsJsonAsync(
                AnthropicErrorResponse.For(statusCode, message), AnthropicJsonContext.Default.AnthropicErrorResponse, contentType: null, aborted),
            _ => response.WriteAsJsonAsync(Body(message, TypeFor(statusCode), param, code), ServerJsonContext.Default.ErrorResponse, contentType: null, aborted),
        };
    }

    /// <summary>The error dialect the request's endpoint declares; OpenAI's when it declares none or no endpoint matched.</summary>
    public static ErrorDialect DialectOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint()?.Metadata.GetMetadata<ErrorDialectMetadata>()?.Dialect ?? ErrorDialect.OpenAI;
    }

    /// <summary>The error serialized as one line of JSON (for an SSE <c>data:</c> event after the stream began).</summary>
    public static string ToJson(ErrorResponse error) => JsonSerializer.Serialize(error, ServerJsonContext.Default.ErrorResponse);

    /// <summary>The <c>type</c> that goes with a status code.</summary>
    public static string TypeFor(int statusCode) => statusCode >= 500 ? ErrorTypes.Server : ErrorTypes.InvalidRequest;

    /// <summary>Sets <c>Retry-After</c> in whole seconds, rounded up, at least 1.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(response);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            SetRetryAfter(httpContext.Response, retryAfter);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
