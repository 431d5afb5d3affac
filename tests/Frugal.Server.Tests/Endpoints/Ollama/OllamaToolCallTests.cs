using System.Net;
using System.Text;
using System.Text.Json;
using Json.Schema;

namespace Frugal.Tests.Endpoints.Ollama;

/// <summary>
/// Tools on Ollama's <c>/api/chat</c> on a real server: the same grammar-constrained calls as the OpenAI API, answered as
/// <c>message.tool_calls</c> (arguments as objects), whole or streamed, and tool results read back with <c>role: "tool"</c>.
/// </summary>
public sealed class OllamaToolCallTests(LongContextServer tiny) : IClassFixture<LongContextServer>
{
    // Short calls: a random model writes each call to its end within the budget even on a busy machine.
    private const string WeatherParameters = """
        {"type":"object","properties":{"unit":{"enum":["c","f"]}},"required":["unit"],"additionalProperties":false}
        """;

    private static readonly object[] Tools =
    [
        new { type = "function",
            function = new { name = "get_weather", description = "The weather in a city.", parameters = JsonDocument.Parse(WeatherParameters).RootElement } },
    ];

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Chat_Tools_AnswersAreTextOrCallsWhoseArgumentsValidate()
    {
        using var client = Server.CreateClient();
        var validator = JsonSchema.FromText(WeatherParameters);
        var calls = 0;

        for (var seed = 1; seed <= 6 && calls == 0; seed++)
        {
            var (status, root) = await PostAsync(client,
                new { stream = false, tools = Tools, messages = Ask("Weather in Paris?"), options = new { num_predict = 100, temperature = 1, seed } });

            Assert.Equal(HttpStatusCode.OK, status);
            var message = root.GetProperty("message");
            Assert.Equal("assistant", message.GetProperty("role").GetString());
            if (message.TryGetProperty("tool_calls", out var toolCalls))
            {
                Assert.Equal("", message.GetProperty("content").GetString());
                foreach (var call in toolCalls.EnumerateArray())
                {
                    calls++;
                    Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
                    var arguments = call.GetProperty("function").GetProperty("arguments");
                    Assert.Equal(JsonValueKind.Object, arguments.ValueKind);
                    Assert.True(validator.Evaluate(arguments).IsValid, arguments.GetRawText());
                }
            }
            else if (root.GetProperty("done_reason").GetString() == "stop")
            {
                Assert.DoesNotContain("\"response\"", message.GetProperty("content").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.True(calls > 0, "no seed called the tool");
    }

    [Fact]
    public async Task Chat_ToolsStreamed_OneLineWithTheWholeAnswersCallsThenTheDoneLine()
    {
        using var client = Server.CreateClient();
        for (var seed = 1; seed <= 6; seed++)
        {
            var (messages, options) = (Ask("Weather in Oslo?"), new { num_predict = 100, temperature = 1, seed });
            var (_, whole) = await PostAsync(client, new { stream = false, tools = Tools, messages, options });
            if (!whole.GetProperty("message").TryGetProperty("tool_calls", out var wholeCalls))
            {
                continue;
            }

            using var response = await client.PostAsync("api/chat", Json(new { tools = Tools, messages, options }), TestContext.Current.CancellationToken);
            var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n',
                StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();

            Assert.Equal(2, lines.Count);
            Assert.False(lines[0].GetProperty("done").GetBoolean());
            Assert.Equal(wholeCalls.GetRawText(), lines[0].GetProperty("message").GetProperty("tool_calls").GetRawText());
            Assert.True(lines[1].GetProperty("done").GetBoolean());
            Assert.Equal(whole.GetProperty("eval_count").GetInt32(), lines[1].GetProperty("eval_count").GetInt32());
            return;
        }

        Assert.Fail("no seed called the tool");
    }

    [Fact]
    public async Task Chat_ToolResultSentBack_ModelReadsWhatTheOpenAIApiWouldShowIt()
    {
        using var client = Server.CreateClient();
        var ollamaMessages = new object[]
        {
            new { role = "user", content = "Weather in Rome?" },
            new { role = "assistant", content = "",
                tool_calls = new[] { new { function = new { name = "get_weather", arguments = new { city = "Rome", unit = "c" } } } } },
            new { role = "tool", content = "21 degrees", tool_name = "get_weather" },
        };
        var openAIMessages = new object[]
        {
            new { role = "user", content = "Weather in Rome?" },
            new { role = "assistant", content = (string?)null,
                tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "get_weather", arguments = """{"city":"Rome","unit":"c"}""" } } } },
            new { role = "tool", content = "21 degrees", tool_call_id = "call_1" },
        };

        var (status, ollama) = await PostAsync(client,
            new { stream = false, tools = Tools, messages = ollamaMessages, options = new { num_predict = 4, temperature = 0 } });
        var (_, unnamed) = await PostAsync(client, new
        {
            stream = false,
            tools = Tools,
            messages = ollamaMessages.Take(2).Append(new { role = "tool", content = "21 degrees" }),
            options = new { num_predict = 4, temperature = 0 },
        });
        using var openAIResponse = await client.PostAsync("v1/chat/completions", Json(new { tools = Tools, messages = openAIMessages, max_tokens = 4, temperature = 0 }),
            TestContext.Current.CancellationToken);
        var openAI = Parse(await openAIResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(openAI.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), ollama.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(ollama.GetProperty("prompt_eval_count").GetInt32(), unnamed.GetProperty("prompt_eval_count").GetInt32());
    }

    private static object[] Ask(string text) => [new { role = "user", content = text }];

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsync("api/chat", Json(body));
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync()));
    }
}
