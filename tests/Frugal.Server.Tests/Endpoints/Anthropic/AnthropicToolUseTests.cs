using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Json.Schema;

namespace Frugal.Tests.Endpoints.Anthropic;

/// <summary>
/// Tools on Anthropic's <c>/v1/messages</c> on a real server: the same grammar-constrained calls as the OpenAI API, answered
/// as <c>tool_use</c> blocks with stop reason <c>tool_use</c>, whole or streamed, and <c>tool_result</c> blocks read back.
/// </summary>
public sealed class AnthropicToolUseTests(LongContextServer tiny) : IClassFixture<LongContextServer>
{
    private const string Route = "v1/messages";

    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":12},"unit":{"enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}
        """;

    private static readonly object[] Tools =
    [
        new { name = "get_weather", description = "The weather in a city.", input_schema = JsonDocument.Parse(WeatherSchema).RootElement },
        new { name = "get_time", description = "The time now.", input_schema = JsonDocument.Parse("""{"type":"object"}""").RootElement },
    ];

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Post_ToolChoiceAny_ToolUseBlocksWhoseInputValidates()
    {
        using var client = AnthropicClient();
        var validator = JsonSchema.FromText(WeatherSchema);
        foreach (var question in (string[])["Weather in Paris?", "What time is it?", "Is it raining in Lima?"])
        {
            var (status, message) = await PostAsync(client, Route, new
            {
                max_tokens = 200,
                temperature = 0,
                tools = Tools,
                tool_choice = new { type = "any", disable_parallel_tool_use = true },
                messages = Ask(question),
            });

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
            var block = Assert.Single(message.GetProperty("content").EnumerateArray());
            Assert.Equal("tool_use", block.GetProperty("type").GetString());
            Assert.StartsWith("toolu_", block.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Object, block.GetProperty("input").ValueKind);
            if (block.GetProperty("name").GetString() == "get_weather")
            {
                Assert.True(validator.Evaluate(block.GetProperty("input")).IsValid, block.GetProperty("input").GetRawText());
            }
        }
    }

    [Fact]
    public async Task Post_NamedToolThenResult_RoundTripReadsAsTheOpenAIApiAndAnswersInText()
    {
        using var client = AnthropicClient();
        var (_, call) = await PostAsync(client, Route,
            new { max_tokens = 200, temperature = 0, tools = Tools, tool_choice = new { type = "tool", name = "get_time" }, messages = Ask("What time is it?") });
        var block = Assert.Single(call.GetProperty("content").EnumerateArray());
        Assert.Equal("get_time", block.GetProperty("name").GetString());
        var id = block.GetProperty("id").GetString();

        var anthropicMessages = new object[]
        {
            new { role = "user", content = "What time is it?" },
            new { role = "assistant", content = new object[] { new { type = "tool_use", id, name = "get_time", input = block.GetProperty("input") } } },
            new { role = "user", content = new object[] { new { type = "tool_result", tool_use_id = id, content = "12:00" } } },
        };
        var openAIMessages = new object[]
        {
            new { role = "user", content = "What time is it?" },
            new { role = "assistant", content = (string?)null,
                tool_calls = new[] { new { id, type = "function", function = new { name = "get_time", arguments = block.GetProperty("input").GetRawText() } } } },
            new { role = "tool", content = "12:00", tool_call_id = id },
        };
        var (status, answer) = await PostAsync(client, Route,
            new { max_tokens = 6, temperature = 0, tools = Tools, tool_choice = new { type = "none" }, messages = anthropicMessages });
        var (_, openAI) = await PostAsync(client, "v1/chat/completions",
            new { max_tokens = 6, temperature = 0, tools = OpenAITools(), tool_choice = "none", messages = openAIMessages });

        Assert.Equal(HttpStatusCode.OK, status);
        var text = Assert.Single(answer.GetProperty("content").EnumerateArray());
        Assert.Equal("text", text.GetProperty("type").GetString());
        Assert.Equal(openAI.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), text.GetProperty("text").GetString());
        Assert.NotEqual("tool_use", answer.GetProperty("stop_reason").GetString());
        var usage = answer.GetProperty("usage");
        Assert.Equal(openAI.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
            usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("cache_read_input_tokens").GetInt32());
    }

    [Fact]
    public async Task Post_ToolsStreamed_ToolUseBlockEventsCarryTheWholeMessagesInput()
    {
        using var client = AnthropicClient();
        var request = new
        {
            max_tokens = 200,
            temperature = 0,
            tools = Tools,
            tool_choice = new { type = "tool", name = "get_weather" },
            messages = Ask("Weather in Oslo?"),
        };
        var (_, whole) = await PostAsync(client, Route, request);

        using var response = await client.PostAsync(Route,
            Json(new { request.max_tokens, request.temperature, request.tools, request.tool_choice, request.messages, stream = true }),
            TestContext.Current.CancellationToken);
        var events = Events(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(
            ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        var start = events[2].Data.GetProperty("content_block");
        Assert.Equal("tool_use", start.GetProperty("type").GetString());
        Assert.Equal("get_weather", start.GetProperty("name").GetString());
        Assert.Equal("{}", start.GetProperty("input").GetRawText());
        var delta = events[3].Data.GetProperty("delta");
        Assert.Equal("input_json_delta", delta.GetProperty("type").GetString());
        Assert.Equal(whole.GetProperty("content")[0].GetProperty("input").GetRawText(),
            JsonDocument.Parse(delta.GetProperty("partial_json").GetString()!).RootElement.GetRawText());
        Assert.Equal("tool_use", events[5].Data.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task CountTokens_Tools_CountsTheirInstructionsAsTheMessageReadsThem()
    {
        using var client = AnthropicClient();
        var (_, without) = await PostAsync(client, Route + "/count_tokens", new { messages = Ask("Weather?") });
        var (_, with) = await PostAsync(client, Route + "/count_tokens", new { tools = Tools, messages = Ask("Weather?") });
        var (_, message) = await PostAsync(client, Route, new { max_tokens = 1, tools = Tools, messages = Ask("Weather?") });

        var usage = message.GetProperty("usage");
        Assert.True(with.GetProperty("input_tokens").GetInt32() > without.GetProperty("input_tokens").GetInt32() + 50);
        Assert.Equal(with.GetProperty("input_tokens").GetInt32(), usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("cache_read_input_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"web_search_20250305","name":"web_search"}]}""", "tools.0.type")]
    [InlineData("""{"tools":[{"name":"f"}]}""", "tools.0.input_schema")]
    [InlineData("""{"tools":[{"name":"f","input_schema":{"type":"string","pattern":"a+"}}]}""", "pattern")]
    [InlineData("""{"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool"}}""", "tool_choice.name")]
    [InlineData("""{"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"}}""", "'g'")]
    [InlineData("""{"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"sometimes"}}""", "sometimes")]
    [InlineData("""{"tool_choice":{"type":"any"}}""", "tool_choice")]
    public async Task Post_BadTools_AnswersAnthropicsErrorShapeNamingTheProblem(string fields, string named)
    {
        using var client = AnthropicClient();
        var body = fields[..^1] + ""","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}""";

        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var root = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", root.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(named, root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]""", "messages.0.content.0.type")]
    [InlineData("""[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]},{"role":"user","content":"Hi"}]""",
        "messages.0.content.0.type")]
    [InlineData("""[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]""", "messages.0.content.0.tool_use_id")]
    [InlineData("""[{"role":"assistant","content":[{"type":"tool_use","id":"t","input":{}}]},{"role":"user","content":"Hi"}]""", "messages.0.content.0.name")]
    public async Task Post_MisplacedToolBlocks_AnswersAnthropicsErrorShapeNamingTheBlock(string messages, string named)
    {
        using var client = AnthropicClient();
        var body = $$"""{"max_tokens":5,"messages":{{messages}}}""";

        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var root = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static object[] OpenAITools() =>
    [
        new { type = "function",
            function = new { name = "get_weather", description = "The weather in a city.", parameters = JsonDocument.Parse(WeatherSchema).RootElement } },
        new { type = "function",
            function = new { name = "get_time", description = "The time now.", parameters = JsonDocument.Parse("""{"type":"object"}""").RootElement } },
    ];

    private static object[] Ask(string text) => [new { role = "user", content = text }];

    private HttpClient AnthropicClient()
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        client.DefaultRequestHeaders.Add("x-api-key", Server.AliceKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    private static List<(string Name, JsonElement Data)> Events(string stream) =>
        [.. stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("event: ", StringComparison.Ordinal)).Select(e =>
        {
            var lines = e.Split('\n');
            return (lines[0]["event: ".Length..], Parse(lines[1]["data: ".Length..]));
        })];

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, string route, object body)
    {
        using var response = await client.PostAsync(route, Json(body));
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }
}
