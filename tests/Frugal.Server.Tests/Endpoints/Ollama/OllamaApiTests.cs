using System.Net;
using System.Text;
using System.Text.Json;
using Json.Schema;

namespace Frugal.Tests.Endpoints.Ollama;

/// <summary>Ollama's API on a real server with the real engine: the same pipeline as the OpenAI API, in Ollama's shapes.</summary>
public sealed class OllamaApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Chat_StreamByDefault_NdjsonPiecesThenADoneLineThatMatchTheWholeAnswer()
    {
        using var client = Server.CreateClient();
        var chat = new { model = "tiny:latest", messages = new[] { new { role = "user", content = "Hi there" } }, options = new { num_predict = 5, temperature = 0 } };

        using var response = await client.PostAsync("api/chat", Json(chat), TestContext.Current.CancellationToken);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n',
            StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        var (_, whole) = await PostAsync(client, "api/chat", new { chat.model, chat.messages, chat.options, stream = false });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.All(lines[..^1], l => Assert.False(l.GetProperty("done").GetBoolean()));
        Assert.All(lines, l => Assert.Equal("tiny:latest", l.GetProperty("model").GetString()));
        Assert.All(lines, l => Assert.EndsWith("Z", l.GetProperty("created_at").GetString(), StringComparison.Ordinal));
        var done = lines[^1];
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.Contains(done.GetProperty("done_reason").GetString(), new[] { "stop", "length" });
        Assert.InRange(done.GetProperty("eval_count").GetInt32(), 1, 5);
        Assert.True(done.GetProperty("prompt_eval_count").GetInt32() > 2);
        Assert.True(done.GetProperty("total_duration").GetInt64() > 0);
        var streamed = string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal("assistant", whole.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(whole.GetProperty("message").GetProperty("content").GetString(), streamed);
        Assert.True(whole.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task ChatAndGenerate_SameRequestAsTheOpenAIApi_SameTextAndPromptTokens()
    {
        using var client = Server.CreateClient();
        const string text = "Tell me about owls";

        var (_, chat) = await PostAsync(client, "api/chat",
            new { stream = false, messages = new[] { new { role = "user", content = text } }, options = new { num_predict = 6, temperature = 0 } });
        var (_, generate) = await PostAsync(client, "api/generate", new { stream = false, prompt = text, options = new { num_predict = 6, temperature = 0 } });
        var (_, openAIChat) = await PostAsync(client, "v1/chat/completions",
            new { max_tokens = 6, temperature = 0, messages = new[] { new { role = "user", content = text } } });
        var (_, raw) = await PostAsync(client, "api/generate", new { stream = false, raw = true, prompt = text, options = new { num_predict = 6, temperature = 0 } });
        var (_, completion) = await PostAsync(client, "v1/completions", new { prompt = text, max_tokens = 6, temperature = 0 });

        var openAIText = openAIChat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal(openAIText, chat.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(openAIText, generate.GetProperty("response").GetString());
        Assert.Equal(openAIChat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), chat.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(completion.GetProperty("choices")[0].GetProperty("text").GetString(), raw.GetProperty("response").GetString());
        Assert.Equal(completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), raw.GetProperty("prompt_eval_count").GetInt32());
    }

    [Fact]
    public async Task Chat_FormatSchema_EveryAnswerValidates()
    {
        using var client = Server.CreateClient();
        const string schema = """{"type":"object","properties":{"color":{"enum":["red","green","blue"]},"n":{"type":"integer","minimum":0,"maximum":99}},"required":["color","n"],"additionalProperties":false}""";
        var validator = JsonSchema.FromText(schema);

        for (var seed = 1; seed <= 3; seed++)
        {
            var (status, root) = await PostAsync(client, "api/chat", new
            {
                stream = false,
                format = JsonDocument.Parse(schema).RootElement,
                messages = new[] { new { role = "user", content = "Pick one." } },
                options = new { num_predict = 60, temperature = 1, seed },
            });

            Assert.Equal(HttpStatusCode.OK, status);
            var content = root.GetProperty("message").GetProperty("content").GetString()!;
            Assert.True(validator.Evaluate(JsonDocument.Parse(content).RootElement).IsValid, content);
        }
    }

    [Fact]
    public async Task Generate_OptionsMapped_SeedRepeatsAndNumPredictEndsWithLength()
    {
        using var client = Server.CreateClient();
        var sampled = new
        {
            stream = false,
            prompt = "Seeded " + Guid.NewGuid().ToString("N"),
            options = new { num_predict = 3, temperature = 1.0, top_p = 0.9, top_k = 20, seed = 9, num_ctx = TinyServer.ContextSize },
        };

        var (_, first) = await PostAsync(client, "api/generate", sampled);
        var (_, second) = await PostAsync(client, "api/generate", sampled);

        Assert.Equal(first.GetProperty("response").GetString(), second.GetProperty("response").GetString());
        if (first.GetProperty("done_reason").GetString() == "length")
        {
            Assert.Equal(3, first.GetProperty("eval_count").GetInt32());
        }
    }

    [Fact]
    public async Task ChatAndGenerate_NothingToAnswer_AnswerAsALoad()
    {
        using var client = Server.CreateClient();

        var (_, chat) = await PostAsync(client, "api/chat", new { model = "tiny", messages = Array.Empty<object>(), keep_alive = "10m" });
        var (_, generate) = await PostAsync(client, "api/generate", new { model = "tiny", keep_alive = 0 });

        Assert.Equal("load", chat.GetProperty("done_reason").GetString());
        Assert.True(chat.GetProperty("done").GetBoolean());
        Assert.Equal("load", generate.GetProperty("done_reason").GetString());
        Assert.Equal("", generate.GetProperty("response").GetString());
    }

    [Fact]
    public async Task TagsPsShowVersion_DescribeTheOneModel()
    {
        using var client = Server.CreateClient();

        var tags = Parse(await client.GetStringAsync("api/tags", TestContext.Current.CancellationToken));
        var ps = Parse(await client.GetStringAsync("api/ps", TestContext.Current.CancellationToken));
        var (status, show) = await PostAsync(client, "api/show", new { model = "tiny:latest" });
        var (oldStatus, _) = await PostAsync(client, "api/show", new { name = "tiny" });
        var version = Parse(await client.GetStringAsync("api/version", TestContext.Current.CancellationToken));

        var model = Assert.Single(tags.GetProperty("models").EnumerateArray());
        Assert.Equal("tiny:latest", model.GetProperty("name").GetString());
        Assert.Equal(new FileInfo(TinyServer.ModelPath).Length, model.GetProperty("size").GetInt64());
        Assert.Equal(64, model.GetProperty("digest").GetString()!.Length);
        Assert.Equal("gguf", model.GetProperty("details").GetProperty("format").GetString());
        Assert.Equal("llama", model.GetProperty("details").GetProperty("family").GetString());
        var running = Assert.Single(ps.GetProperty("models").EnumerateArray());
        Assert.Equal(TinyServer.ContextSize, running.GetProperty("context_length").GetInt32());
        Assert.Equal(0, running.GetProperty("size_vram").GetInt64());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, oldStatus);
        Assert.Equal("llama", show.GetProperty("model_info").GetProperty("general.architecture").GetString());
        Assert.Contains("completion", show.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Matches(@"^\d+\.\d+\.\d+", version.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Chat_NumCtxBelowTheServersContext_PromptAndReplyMustFitInIt()
    {
        using var client = Server.CreateClient();
        var messages = new[] { new { role = "user", content = "Tell me a long story about a cat who sailed the seas and found an island." } };
        var (_, probe) = await PostAsync(client, "api/chat", new { stream = false, messages, options = new { num_predict = 1, temperature = 0 } });
        var promptTokens = probe.GetProperty("prompt_eval_count").GetInt32();

        var (fitStatus, fit) = await PostAsync(client, "api/chat", new { stream = false, messages, options = new { num_predict = -1, temperature = 0, num_ctx = promptTokens + 3 } });
        var (shortStatus, tooShort) = await PostAsync(client, "api/chat", new { stream = false, messages, options = new { num_predict = 1, temperature = 0, num_ctx = promptTokens - 1 } });
        var (wholeStatus, _) = await PostAsync(client, "api/chat", new { stream = false, messages, options = new { num_predict = 1, temperature = 0, num_ctx = TinyServer.ContextSize } });

        Assert.Equal(HttpStatusCode.OK, fitStatus);
        Assert.InRange(fit.GetProperty("eval_count").GetInt32(), 1, 3); // the server's budget is what num_ctx leaves
        Assert.Equal(HttpStatusCode.BadRequest, shortStatus);
        Assert.Contains($"context is {promptTokens - 1} tokens", tooShort.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, wholeStatus);
    }

    [Theory]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"options":{"mirostat":1}}""", 400, "mirostat")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"options":{"num_ctx":100000}}""", 400, "num_ctx")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"options":{"num_predict":0}}""", 400, "num_predict")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"options":{"temperature":5}}""", 400, "temperature")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"options":{"top_k":"many"}}""", 400, "top_k")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"format":"yaml"}""", 400, "format")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"format":{"type":"string","pattern":"a+"}}""", 400, "pattern")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"retrieval"}]}""", 400, "tools[0]")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"format":"json"}""", 400, "format")]
    [InlineData("api/chat",
        """{"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"string","pattern":"a+"}}}]}""", 400,
        "pattern")]
    [InlineData("api/chat", """{"messages":[{"role":"assistant","content":"","tool_calls":[{"function":{}}]},{"role":"user","content":"Hi"}]}""", 400,
        "messages[0].tool_calls[0].function.name")]
    [InlineData("api/chat",
        """{"messages":[{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":[1]}}]},{"role":"user","content":"Hi"}]}""", 400, "arguments")]
    [InlineData("api/chat", """{"messages":[{"role":"wizard","content":"Hi"}]}""", 400, "wizard")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"Hi","images":["aGk="]}]}""", 400, "images")]
    [InlineData("api/chat", """{"messages":[null]}""", 400, "messages[0]")]
    [InlineData("api/chat", """{"messages":"Hi"}""", 400, "messages")]
    [InlineData("api/chat", """{"stream":"yes","messages":[]}""", 400, "stream")]
    [InlineData("api/chat", """not json""", 400, "JSON")]
    [InlineData("api/chat", """{"model":"llama3","messages":[{"role":"user","content":"Hi"}]}""", 404, "llama3")]
    [InlineData("api/generate", """{"prompt":"Hi","template":"{{ .Prompt }}"}""", 400, "template")]
    [InlineData("api/generate", """{"prompt":"Hi","suffix":"end"}""", 400, "suffix")]
    [InlineData("api/generate", """{"prompt":"Hi","context":[1,2,3]}""", 400, "context")]
    [InlineData("api/generate", """{"prompt":"Hi","raw":true,"system":"Be brief"}""", 400, "system")]
    [InlineData("api/generate", """{"prompt":"Hi","think":true}""", 400, "think")]
    [InlineData("api/show", """{"model":"llama3"}""", 404, "llama3")]
    [InlineData("api/show", """{}""", 400, "model")]
    public async Task Post_BadInput_AnswersOllamasErrorShapeNamingTheProblem(string route, string body, int status, string named)
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var root = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(status, (int)response.StatusCode);
        var property = Assert.Single(root.EnumerateObject());
        Assert.Equal("error", property.Name);
        Assert.Contains(named, property.Value.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_AnyModel_Answers501PointingAtTheCli()
    {
        using var client = Server.CreateClient();

        var (status, root) = await PostAsync(client, "api/pull", new { model = "llama3" });

        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains("frugal model pull", root.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_WithoutKey_Answers401InOllamasShapeAndSessionsKeepOpenAIs()
    {
        using var anonymous = Server.CreateClient(apiKey: null);
        using var alice = Server.CreateClient();

        var (status, root) = await PostAsync(anonymous, "api/chat", new { messages = new[] { new { role = "user", content = "Hi" } } });
        using var tags = await anonymous.GetAsync("api/tags", TestContext.Current.CancellationToken);
        using var sessions = await alice.GetAsync("api/sessions", TestContext.Current.CancellationToken);
        using var unknown = await alice.GetAsync("api/sessions/nope", TestContext.Current.CancellationToken);
        var sessionError = Parse(await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(JsonValueKind.String, root.GetProperty("error").ValueKind);
        Assert.Equal(HttpStatusCode.Unauthorized, tags.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sessions.StatusCode);
        Assert.Equal("session_not_found", sessionError.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Generate_SamePromptByAnotherUser_NeverServedFromTheFirstUsersCache()
    {
        using var alice = Server.CreateClient();
        using var bob = Server.CreateClient(Server.BobKey);
        var request = new { stream = false, prompt = "Alice's secret " + Guid.NewGuid().ToString("N"), options = new { num_predict = 4, temperature = 0 } };

        await PostAsync(alice, "api/generate", request);
        using var again = await alice.PostAsync("api/generate", Json(request), TestContext.Current.CancellationToken);
        using var bobs = await bob.PostAsync("api/generate", Json(request), TestContext.Current.CancellationToken);

        Assert.Equal("hit", again.Headers.GetValues("X-Frugal-Cache").Single());
        Assert.Equal("miss", bobs.Headers.GetValues("X-Frugal-Cache").Single());
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, string route, object body)
    {
        using var response = await client.PostAsync(route, Json(body));
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }
}
