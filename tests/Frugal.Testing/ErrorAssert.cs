using System.Net;
using System.Text.Json;

namespace Frugal.Testing;

/// <summary>Checks that a response is an OpenAI-style error: the status, and <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public static class ErrorAssert
{
    /// <summary>Asserts the status and the error body shape; returns the <c>error</c> object for further checks.</summary>
    public static async Task<JsonElement> IsErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error").Clone();
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal((int)status >= 500 ? "server_error" : "invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out _), "the error has no 'param'");
        Assert.True(error.TryGetProperty("code", out var actualCode), "the error has no 'code'");
        if (code is not null)
        {
            Assert.Equal(code, actualCode.GetString());
        }

        return error;
    }
}
