using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Frugal.Tests.Endpoints.Anthropic;

/// <summary>Anthropic's Messages API on a real server with the real engine: the same pipeline as the OpenAI API, in Anthropic's shapes.</summary>
public sealed class AnthropicMessagesApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private const string Route = "v1/messages";

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Post_Message_SameTextAndPromptAsTheOpenAIApiInAnthropicsShape()
    {
        using var client = AnthropicClient(Server.AliceKey);
        const string system = "You are terse.";
        const string text = "Name a river";

        var (status, message) = await PostAsync(client, Route,
            new { model = "tiny", max_tokens = 6, temperature = 0, system, messages = new[] { new { role = "user", content = text } } });
        var (_, openAI) = await PostAsync(client, "v1/chat/completions", new
        {
            max_tokens = 6,
            temperature = 0,
            messages = new[] { new { role = "system", content = system }, new { role = "user", content = text } },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("tiny", message.GetProperty("model").GetString());
        var block = Assert.Single(message.GetProperty("content").EnumerateArray());
        Assert.Equal("text", block.GetProperty("type").GetString());
        Assert.Equal(openAI.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), block.GetProperty("text").GetString());
        Assert.Contains(message.GetProperty("stop_reason").GetString(), new[] { "end_turn", "max_tokens" });
        Assert.Equal(JsonValueKind.Null, message.GetProperty("stop_sequence").ValueKind);
        var usage = message.GetProperty("usage");
        Assert.Equal(openAI.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
            usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(openAI.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Post_StreamTrue_NamedEventsInAnthropicsOrderMatchingTheWholeMessage()
    {
        using var client = AnthropicClient(Server.AliceKey);
        var request = new
        {
            max_tokens = 6,
            temperature = 0,
            messages = new[] { new { role = "user", content = new[] { new { type = "text", text = "Count to three" } } } },
        };

        var (_, whole) = await PostAsync(client, Route, request);
        using var response = await client.PostAsync(Route, Json(new { request.max_tokens, request.temperature, request.messages, stream = true }),
            TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e =>
        {
            var lines = e.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            var data = JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone();
            Assert.Equal(lines[0]["event: ".Length..], data.GetProperty("type").GetString());
            return data;
        }).ToList();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["message_start", "content_block_start", "ping"], types[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], types[^3..]);
        Assert.All(types[3..^3], t => Assert.Equal("content_block_delta", t));
        var start = events[0].GetProperty("message");
        Assert.Empty(start.GetProperty("content").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, start.GetProperty("stop_reason").ValueKind);
        var usage = whole.GetProperty("usage");
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("cache_read_input_tokens").GetInt32(),
            start.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var text = string.Concat(events[3..^3].Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(whole.GetProperty("content")[0].GetProperty("text").GetString(), text);
        var delta = events[^2];
        Assert.Equal(whole.GetProperty("stop_reason").GetString(), delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(usage.GetProperty("output_tokens").GetInt32(), delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Post_StopSequenceInTheText_StopReasonStopSequenceNamingIt()
    {
        using var client = AnthropicClient(Server.AliceKey);
        var messages = new[] { new { role = "user", content = "Stop " + Guid.NewGuid().ToString("N") } };

        var (_, free) = await PostAsync(client, Route, new { max_tokens = 12, temperature = 0, messages });
        var text = free.GetProperty("content")[0].GetProperty("text").GetString()!;
        var stop = text.Trim().Length > 2 ? text.Trim()[1..3] : null;
        Assert.NotNull(stop); // twelve tokens of the tiny model always spell more than three characters
        var (_, stopped) = await PostAsync(client, Route, new { max_tokens = 12, temperature = 0, messages, stop_sequences = new[] { stop } });
        var (_, limited) = await PostAsync(client, Route, new { max_tokens = 1, temperature = 0, messages });

        Assert.Equal("stop_sequence", stopped.GetProperty("stop_reason").GetString());
        Assert.Equal(stop, stopped.GetProperty("stop_sequence").GetString());
        Assert.Equal(text[..text.IndexOf(stop!, StringComparison.Ordinal)], stopped.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("max_tokens", limited.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task CountTokens_Conversation_CountsThePromptTheModelReads()
    {
        using var client = AnthropicClient(Server.AliceKey);
        var messages = new object[]
        {
            new { role = "user", content = "First question" },
            new { role = "assistant", content = new[] { new { type = "text", text = "First answer" } } },
            new { role = "user", content = "Second question" },
        };

        var (status, count) = await PostAsync(client, Route + "/count_tokens",
            new { model = "tiny", system = new[] { new { type = "text", text = "Be kind." } }, messages });
        var (_, openAI) = await PostAsync(client, "v1/chat/completions", new
        {
            max_tokens = 1,
            messages = new object[]
            {
                new { role = "system", content = "Be kind." }, new { role = "user", content = "First question" },
                new { role = "assistant", content = "First answer" }, new { role = "user", content = "Second question" },
            },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(openAI.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), count.GetProperty("input_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", 400, "max_tokens")]
    [InlineData("""{"max_tokens":0,"messages":[{"role":"user","content":"Hi"}]}""", 400, "max_tokens")]
    [InlineData("""{"max_tokens":5}""", 400, "messages")]
    [InlineData("""{"max_tokens":5,"messages":[]}""", 400, "messages")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"system","content":"Hi"}]}""", 400, "messages.0.role")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Sure"}]}""", 400, "prefill")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}""", 400, "messages.0.content.0.type")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]}""", 400, "messages.0.content.0.text")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":42}]}""", 400, "messages.0.content")]
    [InlineData("""{"max_tokens":5,"system":7,"messages":[{"role":"user","content":"Hi"}]}""", 400, "system")]
    [InlineData("""{"max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"Hi"}]}""", 400, "temperature")]
    [InlineData("""{"max_tokens":5,"top_k":0,"messages":[{"role":"user","content":"Hi"}]}""", 400, "top_k")]
    [InlineData("""{"max_tokens":5,"stop_sequences":["a","b","c","d","e"],"messages":[{"role":"user","content":"Hi"}]}""", 400, "stop_sequences")]
    [InlineData("""{"max_tokens":5,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"Hi"}]}""", 400, "thinking")]
    [InlineData("""{"max_tokens":"5","messages":[{"role":"user","content":"Hi"}]}""", 400, "max_tokens")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"\ud800"}]}""", 400, "surrogate")]
    [InlineData("""[1,2]""", 400, "JSON object")]
    [InlineData("""{"model":"claude-opus-4","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}""", 404, "claude-opus-4")]
    public async Task Post_BadInput_AnswersAnthropicsErrorShapeNamingTheProblem(string body, int status, string named)
    {
        using var client = AnthropicClient(Server.AliceKey);

        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var root = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("error", root.GetProperty("type").GetString());
        var error = root.GetProperty("error");
        Assert.Equal(status == 404 ? "not_found_error" : "invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WrongOrMissingKey_AuthenticationErrorAndXApiKeyOrBearerServe()
    {
        using var wrong = AnthropicClient(Server.AliceKey + "x");
        using var none = new HttpClient { BaseAddress = Server.BaseAddress };
        using var bearer = Server.CreateClient();
        var request = new { max_tokens = 1, messages = new[] { new { role = "user", content = "Hi" } } };

        var (wrongStatus, wrongBody) = await PostAsync(wrong, Route + "/count_tokens", request);
        var (noneStatus, noneBody) = await PostAsync(none, Route, request);
        var (bearerStatus, _) = await PostAsync(bearer, Route, request);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
        Assert.Equal("authentication_error", wrongBody.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, noneStatus);
        Assert.Equal("authentication_error", noneBody.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, bearerStatus);
    }

    [Fact]
    public async Task Post_SameMessageByAnotherUser_NeverServedFromTheFirstUsersCache()
    {
        using var alice = AnthropicClient(Server.AliceKey);
        using var bob = AnthropicClient(Server.BobKey);
        var request = new { max_tokens = 4, temperature = 0, messages = new[] { new { role = "user", content = "Alice only " + Guid.NewGuid().ToString("N") } } };

        var (_, first) = await PostAsync(alice, Route, request);
        var (_, again) = await PostAsync(alice, Route, request);
        var (_, bobs) = await PostAsync(bob, Route, request);

        Assert.True(again.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.False(bobs.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("content")[0].GetProperty("text").GetString(), bobs.GetProperty("content")[0].GetProperty("text").GetString());
    }

    private HttpClient AnthropicClient(string key)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, string route, object body)
    {
        using var response = await client.PostAsync(route, Json(body));
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }
}
