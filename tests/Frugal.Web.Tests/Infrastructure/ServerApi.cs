using System.Net.Http.Json;
using System.Text.Json;
using Frugal.Inference;

namespace Frugal.Web.Tests.Infrastructure;

/// <summary>What the server itself says, read over HTTP with a user's key: to check the page against.</summary>
public static class ServerApi
{
    public static async Task<JsonElement> GetJsonAsync(this ServerFixture server, string key, string path)
    {
        using var client = server.CreateClient(key);
        return await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));
    }

    /// <summary>The stored messages of a session, oldest first.</summary>
    public static async Task<JsonElement[]> MessagesAsync(this ServerFixture server, string key, string sessionId) =>
        [.. (await server.GetJsonAsync(key, $"api/sessions/{sessionId}/messages")).GetProperty("data").EnumerateArray()];

    /// <summary>
    /// The session's stored reply, once there is one: the server stores a stopped reply when it notices
    /// the closed connection, a moment after the page stopped reading (a bound on waiting, not a speed check).
    /// </summary>
    public static async Task<JsonElement> WaitForStoredReplyAsync(this ServerFixture server, string key, string sessionId)
    {
        await server.Store.WaitForMessageAsync(m => m.SessionId == sessionId && m.Role == ChatRole.Assistant).WaitAsync(TimeSpan.FromMinutes(1));
        return (await server.MessagesAsync(key, sessionId)).Last(m => m.GetProperty("role").GetString() == "assistant");
    }
}
