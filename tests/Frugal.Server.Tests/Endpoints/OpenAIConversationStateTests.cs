using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// Conversations that come through the OpenAI API keep their KV state between turns even when other
/// conversations use the context in between (the server's own engine and session-state store).
/// </summary>
public sealed class OpenAIConversationStateTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async ValueTask InitializeAsync() =>
        // The server's own engine loader: the real engine with the registered session-state store.
        _server = await TinyServer.StartAsync(keepStates: true);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Post_FollowUpAfterAnotherConversation_EvaluatesOnlyItsNewTokens()
    {
        using var client = _server.CreateClient();
        var a = new JsonArray(Message("system", "You are terse."), Message("user", "Tell me about boats."));
        var b = new JsonArray(Message("system", "You are terse."), Message("user", "Something else entirely, about trees."));

        var (a1Reply, a1Usage) = await AskAsync(client, a);
        await AskAsync(client, b);
        a.Add(Message("assistant", a1Reply));
        a.Add(Message("user", "More, please."));
        var (_, a2Usage) = await AskAsync(client, a);

        var a1Prompt = a1Usage.GetProperty("prompt_tokens").GetInt32();
        var a1Completion = a1Usage.GetProperty("completion_tokens").GetInt32();
        var a2Cached = a2Usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(a2Cached >= a1Prompt + a1Completion - 1,
            $"turn 2 kept {a2Cached} tokens; turn 1 had {a1Prompt} prompt + {a1Completion} reply tokens");
        Assert.True(a2Cached < a2Usage.GetProperty("prompt_tokens").GetInt32());
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static async Task<(string Reply, JsonElement Usage)> AskAsync(HttpClient client, JsonArray messages)
    {
        var body = new JsonObject { ["model"] = "tiny", ["temperature"] = 0, ["max_tokens"] = 8, ["messages"] = messages.DeepClone() };
        using var response = await client.PostAsync("v1/chat/completions", ChatCompletionsApiTests.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return (root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, root.GetProperty("usage").Clone());
    }
}
