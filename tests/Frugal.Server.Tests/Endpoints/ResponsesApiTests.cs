using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// <c>POST /v1/responses</c> in its stateless form on a real server with the real engine: the same pipeline as chat
/// completions, answered as OpenAI's <c>response</c> object or its events, read by the official .NET client.
/// </summary>
public sealed class ResponsesApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private const string Route = "v1/responses";

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Post_InputString_AnswersAResponseWithTheSameTextAsChatCompletions()
    {
        using var client = Server.CreateClient();

        var (status, root) = await PostAsync(client, new { model = "tiny", input = "Hi there", instructions = "Be brief.", max_output_tokens = 6, temperature = 0 });
        var (_, chat) = await PostAsync(client, new
        {
            messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Hi there" } },
            max_tokens = 6,
            temperature = 0,
        }, "v1/chat/completions");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("response", root.GetProperty("object").GetString());
        Assert.StartsWith("resp_", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.False(root.GetProperty("store").GetBoolean());
        var item = Assert.Single(root.GetProperty("output").EnumerateArray());
        Assert.Equal("message", item.GetProperty("type").GetString());
        Assert.Equal("assistant", item.GetProperty("role").GetString());
        var part = Assert.Single(item.GetProperty("content").EnumerateArray());
        Assert.Equal("output_text", part.GetProperty("type").GetString());
        Assert.Equal(chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), part.GetProperty("text").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        var finish = chat.GetProperty("choices")[0].GetProperty("finish_reason").GetString();
        Assert.Equal(finish == "length" ? "incomplete" : "completed", root.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Post_StreamTrue_NamedNumberedEventsWhoseDeltasSpellTheWholeAnswer()
    {
        using var client = Server.CreateClient();
        var input = new object[] { new { role = "user", content = new[] { new { type = "input_text", text = "Tell me about boats." } } } };

        var (_, whole) = await PostAsync(client, new { input, max_output_tokens = 8, temperature = 0 });
        using var response = await client.PostAsync(Route, Json(new { input, max_output_tokens = 8, temperature = 0, stream = true }), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')).ToList();
        var data = events.Select(e => JsonDocument.Parse(e[1]["data: ".Length..]).RootElement.Clone()).ToList();
        Assert.All(events.Zip(data), e => Assert.Equal(e.First[0]["event: ".Length..], e.Second.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, data.Count), data.Select(d => d.GetProperty("sequence_number").GetInt32()));
        var types = data.Select(d => d.GetProperty("type").GetString()).ToList();
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"], types[..4]);
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done"], types[^4..^1]);
        Assert.Equal(whole.GetProperty("status").GetString() == "incomplete" ? "response.incomplete" : "response.completed", types[^1]);
        var text = whole.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString();
        Assert.Equal(text, string.Concat(data.Where(d => d.GetProperty("type").GetString() == "response.output_text.delta").Select(d => d.GetProperty("delta").GetString())));
        Assert.Equal("in_progress", data[0].GetProperty("response").GetProperty("status").GetString());
        Assert.Equal(text, data[^1].GetProperty("response").GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task OfficialClient_WholeAndStreamed_ReadsTheOutputTextAndUsage()
    {
#pragma warning disable OPENAI001 // the Responses client is marked experimental in the SDK
        var responses = new ResponsesClient(new ApiKeyCredential(Server.AliceKey), new ResponsesClientOptions { Endpoint = new Uri(Server.BaseAddress, "v1") });
        var options = new CreateResponseOptions("tiny", [ResponseItem.CreateUserMessageItem("Name a colour.")])
        {
            Instructions = "Answer in one word.",
            MaxOutputTokenCount = 6,
            Temperature = 0f,
        };

        ResponseResult whole = await responses.CreateResponseAsync(options, TestContext.Current.CancellationToken);
        var streamed = new StringBuilder();
        ResponseResult? completed = null;
        options.StreamingEnabled = true;
        await foreach (var update in await responses.CreateResponseStreamingAsync(options, TestContext.Current.CancellationToken))
        {
            streamed.Append((update as StreamingResponseOutputTextDeltaUpdate)?.Delta);
            completed = (update as StreamingResponseCompletedUpdate)?.Response ?? (update as StreamingResponseIncompleteUpdate)?.Response ?? completed;
        }
#pragma warning restore OPENAI001

        Assert.True(whole.Usage.OutputTokenCount is >= 1 and <= 6);
        Assert.True(whole.Usage.InputTokenCount > 0);
        Assert.Equal(whole.GetOutputText(), streamed.ToString());
        Assert.NotNull(completed);
        Assert.Equal(whole.GetOutputText(), completed.GetOutputText());
    }

    [Theory]
    [InlineData("""{"input":"a","store":true}""", "store", "unsupported_parameter")]
    [InlineData("""{"input":"a","previous_response_id":"resp_1"}""", "previous_response_id", "unsupported_parameter")]
    [InlineData("""{"input":"a","conversation":"conv_1"}""", "conversation", "unsupported_parameter")]
    [InlineData("""{"input":"a","background":true}""", "background", "unsupported_parameter")]
    [InlineData("""{"input":"a","tools":[{"type":"function","name":"f"}]}""", "tools", "unsupported_parameter")]
    [InlineData("""{"input":"a","reasoning":{"effort":"low"}}""", "reasoning", "unsupported_parameter")]
    [InlineData("""{"input":"a","include":["message.output_text.logprobs"]}""", "include", "unsupported_parameter")]
    [InlineData("""{"input":"a","top_logprobs":2}""", "top_logprobs", "unsupported_parameter")]
    [InlineData("""{"input":[{"type":"function_call_output","call_id":"c","output":"x"}]}""", "input[0].type", "unsupported_parameter")]
    [InlineData("""{"input":[{"role":"user","content":[{"type":"input_image","image_url":"x"}]}]}""", "input[0].content[0].type", "unsupported_parameter")]
    [InlineData("""{"input":[{"role":"wizard","content":"a"}]}""", "input[0].role", "invalid_value")]
    [InlineData("""{"input":[{"content":"a"}]}""", "input[0].role", "missing_required_parameter")]
    [InlineData("""{"input":[{"role":"user"}]}""", "input[0].content", "missing_required_parameter")]
    [InlineData("""{"input":[]}""", "input", "invalid_value")]
    [InlineData("""{"input":5}""", "input", "invalid_type")]
    [InlineData("""{"max_output_tokens":5}""", "input", "missing_required_parameter")]
    [InlineData("""{"input":"a","max_output_tokens":0}""", "max_output_tokens", "invalid_value")]
    [InlineData("""{"input":"a","max_output_tokens":"5"}""", "max_output_tokens", "invalid_type")]
    [InlineData("""{"input":"a","temperature":3}""", "temperature", "invalid_value")]
    [InlineData("""{"input":"a","truncation":"sometimes"}""", "truncation", "invalid_value")]
    [InlineData("""{"input":"a","text":{"format":{"type":"yaml"}}}""", "text.format.type", "invalid_value")]
    [InlineData("""{"input":"a","model":"gpt-5"}""", "model", "model_not_found")]
    public async Task Post_BadInput_AnswersOpenAIErrorNamingTheParameter(string body, string param, string code)
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(code == "model_not_found" ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, response.StatusCode);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_JsonSchemaFormat_AnswersJsonOfTheSchema()
    {
        using var client = Server.CreateClient();
        var schema = new { type = "object", properties = new { n = new { type = "integer", minimum = 0, maximum = 9 } }, required = new[] { "n" }, additionalProperties = false };

        var (status, root) = await PostAsync(client, new { input = "A number", max_output_tokens = 30, temperature = 1, text = new { format = new { type = "json_schema", name = "n", schema, strict = true } } });

        Assert.Equal(HttpStatusCode.OK, status);
        using var answer = JsonDocument.Parse(root.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!);
        Assert.InRange(answer.RootElement.GetProperty("n").GetInt32(), 0, 9);
        Assert.Equal("json_schema", root.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_WithoutKey_Answers401()
    {
        using var anonymous = Server.CreateClient(apiKey: null);

        using var response = await anonymous.PostAsync(Route, Json(new { input = "Hi" }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, object body, string route = Route)
    {
        using var response = await client.PostAsync(route, Json(body), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
