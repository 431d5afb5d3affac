using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Frugal.Tests.Endpoints;

public sealed class ChatCompletionsApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private ServerFixture Server => tiny.Server;

    private const string Route = "v1/chat/completions";

    [Fact]
    public async Task Post_StreamTrue_FramesEveryEventExactlyAsOpenAI()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json(
            """{"model":"tiny","stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"temperature":0,"messages":[{"role":"user","content":"Hi"}]}"""), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(body);
        Assert.EndsWith("\n\ndata: [DONE]\n\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        var events = text[..^2].Split("\n\n");
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain('\n', e));
        Assert.Equal("data: [DONE]", events[^1]);

        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        var first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finish_reason").ValueKind);

        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        var usage = usageChunk.GetProperty("usage");
        var finishChunk = chunks[^2].GetProperty("choices")[0];
        Assert.Contains(finishChunk.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        Assert.Empty(finishChunk.GetProperty("delta").EnumerateObject());

        var contentChunks = chunks[1..^2];
        Assert.All(contentChunks, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString())));
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 5);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Post_StreamWithoutIncludeUsage_HasNoUsageChunk()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json("""{"stream":true,"max_tokens":3,"messages":[{"role":"user","content":"Hi"}]}"""),
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain("\"usage\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_StreamFalse_ReturnsWholeCompletionWithUsage()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json(
            """{"model":"tiny","max_completion_tokens":4,"seed":7,"stop":["zzzz"],"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi"}]}]}"""), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = document.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("tiny", root.GetProperty("model").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.InRange(root.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 4);
    }

    [Theory]
    [InlineData("{\"messages\": [", "invalid_json")]
    [InlineData("[1, 2]", "invalid_json")]
    [InlineData("", null)]
    [InlineData("{\"max_tokens\": 4}", "missing_required_parameter")]
    [InlineData("{\"messages\": []}", "invalid_value")]
    [InlineData("{\"messages\": \"hi\"}", "invalid_type")]
    [InlineData("{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"messages\": [{\"role\": \"function\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"messages\": [{\"content\": \"hi\"}]}", "missing_required_parameter")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "missing_required_parameter")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "invalid_type")]
    [InlineData("{\"max_tokens\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"max_tokens\": -3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"max_tokens\": 100000, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"max_tokens\": \"many\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_type")]
    [InlineData("{\"temperature\": -1, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"temperature\": \"NaN\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_type")]
    [InlineData("{\"temperature\": NaN, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_json")]
    [InlineData("{\"top_p\": 1.5, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"stream\": \"yes\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_type")]
    [InlineData("{\"stop\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_type")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\"}]}", "invalid_encoding")]
    [InlineData("{\"logit_bias\": {\"50256\": -100}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_parameter")]
    [InlineData("{\"presence_penalty\": 0.5, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_parameter")]
    [InlineData("{\"frequency_penalty\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_parameter")]
    [InlineData("{\"response_format\": {\"type\": \"xml\"}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"string\", \"pattern\": \"a+\"}}}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_schema")]
    [InlineData("{\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": 5}}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_schema")]
    [InlineData("{\"response_format\": \"json\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_type")]
    [InlineData("{\"tools\": [{\"type\": \"function\"}], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a b\"}}], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\", \"not\": {}}}}], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "unsupported_schema")]
    [InlineData("{\"tool_choice\": \"sometimes\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"tool_choice\": \"required\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "invalid_value")]
    [InlineData("{\"messages\": [{\"role\": \"tool\", \"content\": \"42\"}]}", "missing_required_parameter")]
    [InlineData("{\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"type\": \"function\", \"function\": {}}]}, {\"role\": \"user\", \"content\": \"hi\"}]}", "missing_required_parameter")]
    public async Task Post_BadInput_Answers400WithOpenAIError(string body, string? code)
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json(body), TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Post_InvalidUtf8_Answers400()
    {
        using var client = Server.CreateClient();
        var bytes = Encoding.UTF8.GetBytes("{\"messages\": [{\"role\": \"user\", \"content\": \"X\"}]}");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte with no continuation

        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(Route, content, TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "invalid_encoding");
    }

    [Fact]
    public async Task Post_MoreTextThanTheContext_Answers400ContextLengthExceeded()
    {
        using var client = Server.CreateClient();
        var longText = string.Join(' ', Enumerable.Repeat("river", 2000));

        using var response = await client.PostAsync(Route, Json(JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = longText } } })),
            TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "context_length_exceeded");
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Post_UnknownModel_Answers404ModelNotFound()
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, Json("""{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}"""),
            TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "model_not_found");
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Post_NoKey_Answers401()
    {
        using var client = Server.CreateClient(apiKey: null);

        using var response = await client.PostAsync(Route, Json("""{"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GetModels_ListsTheLoadedModel()
    {
        using var client = Server.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("v1/models", TestContext.Current.CancellationToken));

        Assert.Equal("list", document.RootElement.GetProperty("object").GetString());
        var model = Assert.Single(document.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("tiny", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
