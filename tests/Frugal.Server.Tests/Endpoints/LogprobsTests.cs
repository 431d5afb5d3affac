using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// <c>logprobs</c>/<c>top_logprobs</c> on <c>/v1/chat/completions</c> and <c>logprobs</c> on <c>/v1/completions</c>, whole
/// and streamed, on a real server with the real engine, in OpenAI's shapes and through the official .NET client.
/// </summary>
public sealed class LogprobsTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private static readonly object[] Hello = [new { role = "user", content = "Tell me about boats." }];

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task ChatCompletions_LogprobsAtTemperatureZero_EachTokenIsItsTopEntryWithTheAskedCount()
    {
        using var client = Server.CreateClient();

        var (status, root) = await PostAsync(client, "v1/chat/completions", new { messages = Hello, max_tokens = 8, temperature = 0, logprobs = true, top_logprobs = 3 });
        var (_, plain) = await PostAsync(client, "v1/chat/completions", new { messages = Hello, max_tokens = 8, temperature = 0, logprobs = false });

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = root.GetProperty("choices")[0];
        var content = choice.GetProperty("logprobs").GetProperty("content").EnumerateArray().ToList();
        Assert.NotEmpty(content);
        Assert.All(content, token =>
        {
            var logprob = token.GetProperty("logprob").GetDouble();
            Assert.InRange(logprob, -9999, 0);
            var top = token.GetProperty("top_logprobs").EnumerateArray().ToList();
            Assert.Equal(3, top.Count);
            Assert.Equal(top[0].GetProperty("logprob").GetDouble(), logprob);
            Assert.Equal(top[0].GetProperty("token").GetString(), token.GetProperty("token").GetString());
            Assert.All(token.GetProperty("bytes").EnumerateArray(), b => Assert.InRange(b.GetInt32(), 0, 255));
        });
        var text = choice.GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal(text, plain.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.StartsWith(Spelled(content), text, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);
    }

    [Fact]
    public async Task ChatCompletions_StreamWithLogprobs_ChunksCarryTheSameEntriesAsTheWholeAnswer()
    {
        using var client = Server.CreateClient();
        var body = new { messages = Hello, max_tokens = 8, temperature = 0, logprobs = true, top_logprobs = 2 };

        var (_, whole) = await PostAsync(client, "v1/chat/completions", body);
        var events = await StreamAsync(client, "v1/chat/completions", new { body.messages, body.max_tokens, body.temperature, body.logprobs, body.top_logprobs, stream = true });

        var streamed = events.Select(e => e.GetProperty("choices")[0])
            .Where(c => c.GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            .SelectMany(c => c.GetProperty("logprobs").GetProperty("content").EnumerateArray())
            .Select(Entry).ToList();
        var expected = whole.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content").EnumerateArray().Select(Entry).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, streamed);
    }

    [Fact]
    public async Task ChatCompletions_OfficialClient_ReadsTheTokensLogProbabilities()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0f, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 };

        ChatCompletion completion = await OfficialClient.Chat(Server).CompleteChatAsync([new UserChatMessage("Name a colour.")], options, TestContext.Current.CancellationToken);

        Assert.NotEmpty(completion.ContentTokenLogProbabilities);
        Assert.All(completion.ContentTokenLogProbabilities, token =>
        {
            Assert.InRange(token.LogProbability, -9999f, 0f);
            Assert.Equal(2, token.TopLogProbabilities.Count);
            Assert.Equal(token.TopLogProbabilities[0].LogProbability, token.LogProbability);
            Assert.Equal(token.Token, Encoding.UTF8.GetString(token.Utf8Bytes?.ToArray() ?? []));
        });
    }

    [Fact]
    public async Task Completions_LogprobsWholeAndStreamed_LegacyShapeWithTheChosenTokenInItsTopEntries()
    {
        using var client = Server.CreateClient();
        var body = new { prompt = "Once upon a time", max_tokens = 6, temperature = 0, logprobs = 2 };

        var (status, whole) = await PostAsync(client, "v1/completions", body);
        var events = await StreamAsync(client, "v1/completions", new { body.prompt, body.max_tokens, body.temperature, body.logprobs, stream = true });

        Assert.Equal(HttpStatusCode.OK, status);
        var logprobs = whole.GetProperty("choices")[0].GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var values = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(t => t.GetDouble()).ToList();
        var tops = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        var offsets = logprobs.GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.NotEmpty(tokens);
        Assert.Equal(tokens.Count, values.Count);
        Assert.Equal(tokens.Count, tops.Count);
        Assert.Equal(tokens.Select((_, i) => tokens.Take(i).Sum(t => t.Length)), offsets);
        for (var i = 0; i < tokens.Count; i++)
        {
            var top = tops[i].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.InRange(top.Count, 1, 3);
            Assert.Equal(values[i], top[tokens[i]]);
            Assert.Equal(top.Values.Max(), values[i]); // temperature 0: the chosen token is the most likely
        }

        Assert.StartsWith(string.Concat(tokens).TrimEnd('\uFFFD'), whole.GetProperty("choices")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var streamed = events.Where(e => e.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("logprobs"))
            .Where(l => l.ValueKind == JsonValueKind.Object).ToList();
        Assert.Equal(tokens, streamed.SelectMany(l => l.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)));
        Assert.Equal(offsets, streamed.SelectMany(l => l.GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32())));
    }

    [Fact]
    public async Task Completions_Echo_PromptBeforeTheTextWholeAndStreamed()
    {
        using var client = Server.CreateClient();
        const string prompt = "In the beginning";

        var (_, plain) = await PostAsync(client, "v1/completions", new { prompt, max_tokens = 5, temperature = 0 });
        var (status, echoed) = await PostAsync(client, "v1/completions", new { prompt, max_tokens = 5, temperature = 0, echo = true });
        var events = await StreamAsync(client, "v1/completions", new { prompt, max_tokens = 5, temperature = 0, echo = true, stream = true });

        Assert.Equal(HttpStatusCode.OK, status);
        var text = plain.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.Equal(prompt + text, echoed.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(prompt, events[0].GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(prompt + text, string.Concat(events.Where(e => e.GetProperty("choices").GetArrayLength() > 0).Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString())));
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":true,"top_logprobs":21}""", "top_logprobs", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":true,"top_logprobs":-1}""", "top_logprobs", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"top_logprobs":2}""", "top_logprobs", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":false,"top_logprobs":2}""", "top_logprobs", "invalid_value")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":1}""", "logprobs", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":true,"top_logprobs":"3"}""", "top_logprobs", "invalid_type")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"logprobs":true,"tools":[{"type":"function","function":{"name":"f"}}]}""", "logprobs", "unsupported_parameter")]
    public async Task ChatCompletions_BadLogprobs_Answers400NamingTheParameter(string body, string param, string code)
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    private static (string Token, double Logprob, string Top) Entry(JsonElement token) =>
        (token.GetProperty("token").GetString()!, token.GetProperty("logprob").GetDouble(), token.GetProperty("top_logprobs").GetRawText());

    // The entries' bytes as text (a last token inside a character reads as U+FFFD: it is not in the text yet).
    private static string Spelled(IEnumerable<JsonElement> content) =>
        Encoding.UTF8.GetString([.. content.SelectMany(t => t.GetProperty("bytes").EnumerateArray().Select(b => (byte)b.GetInt32()))]).TrimEnd('\uFFFD');

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, string route, object body)
    {
        using var response = await client.PostAsync(route, Json(body), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<List<JsonElement>> StreamAsync(HttpClient client, string route, object body)
    {
        using var response = await client.PostAsync(route, Json(body), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.Clone())];
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
