using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Reads a request body with an explicit source-generated contract, so a body binds the same way
/// whatever the host's JSON defaults are (snake_case names, numbers only as numbers). Every
/// failure is a <see cref="BadHttpRequestException"/>: 415 not JSON, 400 malformed or wrong types
/// (including invalid UTF-8), 413 over the size limit (thrown by Kestrel while reading).
/// </summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new BadHttpRequestException("The request body must be JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body is not valid JSON for this endpoint.", StatusCodes.Status400BadRequest, e);
        }

        return value ?? throw new BadHttpRequestException("The request body must be a JSON object.", StatusCodes.Status400BadRequest);
    }

    /// <summary>Reads a JSON object whose fields mean something by being present (a PATCH); same failures as <see cref="ReadAsync"/>.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new BadHttpRequestException("The request body must be JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new BadHttpRequestException("The request body must be a JSON object.", StatusCodes.Status400BadRequest);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body is not valid JSON for this endpoint.", StatusCodes.Status400BadRequest, e);
        }
    }
}
