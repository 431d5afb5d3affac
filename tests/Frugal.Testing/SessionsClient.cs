using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Frugal.Testing;

/// <summary>Small helpers over <c>/api/sessions</c> for tests: create a session, send a message, list messages.</summary>
public static class SessionsClient
{
    /// <summary>Creates a session and returns its id (asserts 201).</summary>
    public static async Task<string> CreateSessionAsync(this HttpClient client, string? title = null, string? systemPrompt = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { title, system_prompt = systemPrompt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>POSTs raw JSON to a session's messages.</summary>
    public static Task<HttpResponseMessage> PostMessageAsync(this HttpClient client, string sessionId, string json,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return client.SendAsync(request, completion);
    }

    /// <summary>Sends a message with <c>stream: false</c> and returns the JSON answer (asserts 200).</summary>
    public static async Task<JsonElement> SendAsync(this HttpClient client, string sessionId, string content, int maxTokens = 8)
    {
        var json = JsonSerializer.Serialize(new { content, stream = false, max_tokens = maxTokens, temperature = 0 });
        using var response = await client.PostMessageAsync(sessionId, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The session's messages (<c>data</c> of GET …/messages; asserts 200).</summary>
    public static async Task<IReadOnlyList<JsonElement>> GetMessagesAsync(this HttpClient client, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone())];
    }
}
