using System.Net;
using System.Text;
using System.Text.Json;
using Frugal.Inference;

namespace Frugal.Tests.Endpoints;

/// <summary><c>POST /v1/completions</c> on a real server with the real engine: a prompt read without the chat template.</summary>
public sealed class CompletionsApiTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private const string Route = "v1/completions";

    private ServerFixture Server => tiny.Server;

    [Fact]
    public async Task Post_PromptString_AnswersATextCompletionOfThePromptWithoutTheChatTemplate()
    {
        using var client = Server.CreateClient();
        const string text = "Once upon a time there was";

        var (status, root) = await PostAsync(client, new { model = "tiny", prompt = text, max_tokens = 4, temperature = 0 });
        var (_, empty) = await PostAsync(client, new { prompt = "", max_tokens = 1, temperature = 0 });
        var (_, chat) = await PostAsync(client, new { max_tokens = 1, messages = new[] { new { role = "user", content = text } } }, "v1/chat/completions");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("tiny", root.GetProperty("model").GetString());
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(JsonValueKind.String, choice.GetProperty("text").ValueKind);
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Contains(choice.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        var usage = root.GetProperty("usage");
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 4);
        // The prompt is what the empty prompt reads (the model's BOS) plus the text's own tokens: nothing of a template.
        var promptTokens = usage.GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(PromptTokens(empty) + Engine.CountTokens(text), promptTokens);
        Assert.True(PromptTokens(chat) > promptTokens, "the chat template adds tokens around the same text");
    }

    [Fact]
    public async Task Post_TokenArrayOfTheTextsTokens_SameCompletionAsTheText()
    {
        using var client = Server.CreateClient();
        const string text = "The capital of France";
        await using var tokenizer = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = TinyServer.ModelPath, ContextSize = 256 },
            ct: TestContext.Current.CancellationToken);
        int[] ids = [.. tokenizer.Model.BosTokenId is { } bos ? [bos] : Array.Empty<int>(), .. tokenizer.Tokenize(text)];

        var (_, fromText) = await PostAsync(client, new { prompt = text, max_tokens = 6, temperature = 0 });
        var (status, fromIds) = await PostAsync(client, new { prompt = ids, max_tokens = 6, temperature = 0 });
        var (_, nested) = await PostAsync(client, new { prompt = new[] { ids }, max_tokens = 6, temperature = 0 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ids.Length, PromptTokens(fromIds));
        Assert.Equal(PromptTokens(fromText), PromptTokens(fromIds));
        Assert.Equal(Text(fromText), Text(fromIds));
        Assert.Equal(Text(fromText), Text(nested));
    }

    [Fact]
    public async Task Post_StreamTrue_FramesTextCompletionEventsAndMatchesTheWholeAnswer()
    {
        using var client = Server.CreateClient();
        const string text = "In the beginning";

        var (_, whole) = await PostAsync(client, new { prompt = text, max_tokens = 6, temperature = 0 });
        using var response = await client.PostAsync(Route,
            Json(new { prompt = text, max_tokens = 6, temperature = 0, stream = true, stream_options = new { include_usage = true } }),
            TestContext.Current.CancellationToken);
        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("\n\ndata: [DONE]\n\n", body, StringComparison.Ordinal);
        var events = body[..^2].Split("\n\n")[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("id").GetString()).Distinct());
        var pieces = events[..^2].Select(e => e.GetProperty("choices")[0]).ToList();
        Assert.All(pieces, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("finish_reason").ValueKind));
        var finish = events[^2].GetProperty("choices")[0];
        Assert.Contains(finish.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        Assert.Equal(Text(whole), string.Concat(pieces.Select(p => p.GetProperty("text").GetString())));
        Assert.Equal(0, events[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(PromptTokens(whole), events[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Post_SameSeedTwice_SameSampledTextAndStopEndsIt()
    {
        using var client = Server.CreateClient();
        var sampled = new { prompt = "Seeds " + Guid.NewGuid().ToString("N"), max_tokens = 8, temperature = 1.0, seed = 42 };

        var (_, first) = await PostAsync(client, sampled);
        var (_, second) = await PostAsync(client, sampled);
        var whole = Text(first);
        var stop = whole.Trim().Length > 1 ? whole.Trim()[1..2] : null;

        Assert.Equal(whole, Text(second));
        if (stop is not null)
        {
            var (_, stopped) = await PostAsync(client, new { sampled.prompt, sampled.max_tokens, sampled.temperature, sampled.seed, stop });
            Assert.Equal(whole[..whole.IndexOf(stop, StringComparison.Ordinal)], Text(stopped));
            Assert.Equal("stop", stopped.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        }
    }

    [Theory]
    [InlineData("""{"max_tokens":2}""", "prompt", "missing_required_parameter")]
    [InlineData("""{"prompt":[]}""", "prompt", "invalid_value")]
    [InlineData("""{"prompt":["a","b"]}""", "prompt", "invalid_value")]
    [InlineData("""{"prompt":[[1,2],[3]]}""", "prompt", "invalid_value")]
    [InlineData("""{"prompt":[1.5]}""", "prompt", "invalid_type")]
    [InlineData("""{"prompt":[1,"a"]}""", "prompt", "invalid_type")]
    [InlineData("""{"prompt":[[]]}""", "prompt", "invalid_type")]
    [InlineData("""{"prompt":{"text":"a"}}""", "prompt", "invalid_type")]
    [InlineData("""{"prompt":[1,99999999]}""", "prompt", "invalid_value")]
    [InlineData("""{"prompt":[-1]}""", "prompt", "invalid_value")]
    [InlineData("""{"prompt":[1,2],"echo":true}""", "echo", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","echo":true,"logprobs":1}""", "logprobs", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","echo":"yes"}""", "echo", "invalid_type")]
    [InlineData("""{"prompt":"a","best_of":2}""", "best_of", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","logprobs":6}""", "logprobs", "invalid_value")]
    [InlineData("""{"prompt":"a","logprobs":-1}""", "logprobs", "invalid_value")]
    [InlineData("""{"prompt":"a","logprobs":true}""", "logprobs", "invalid_type")]
    [InlineData("""{"prompt":"a","suffix":"end"}""", "suffix", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","logit_bias":{"1":5}}""", "logit_bias", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","presence_penalty":0.5}""", "presence_penalty", "unsupported_parameter")]
    [InlineData("""{"prompt":"a","n":2}""", "n", "invalid_value")]
    [InlineData("""{"prompt":"a","max_tokens":0}""", "max_tokens", "invalid_value")]
    [InlineData("""{"prompt":"a","max_tokens":100000}""", "max_tokens", "invalid_value")]
    [InlineData("""{"prompt":"a","temperature":3}""", "temperature", "invalid_value")]
    [InlineData("""{"prompt":"a","top_p":-1}""", "top_p", "invalid_value")]
    [InlineData("""{"prompt":"a","stop":["","x"]}""", "stop", "invalid_value")]
    [InlineData("""{"prompt":"a","stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"prompt":"a","model":"gpt-4"}""", "model", "model_not_found")]
    public async Task Post_BadInput_AnswersOpenAIErrorNamingTheParameter(string body, string param, string code)
    {
        using var client = Server.CreateClient();

        using var response = await client.PostAsync(Route, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var error = document.RootElement.GetProperty("error");

        Assert.Equal(code == "model_not_found" ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_PromptLongerThanTheContext_Answers400ContextLengthExceeded()
    {
        using var client = Server.CreateClient();

        var (status, root) = await PostAsync(client, new { prompt = string.Concat(Enumerable.Repeat("word ", TinyServer.ContextSize * 2)) });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", root.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("prompt", root.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Post_WithoutKey_Answers401()
    {
        using var client = Server.CreateClient(apiKey: null);

        var (status, root) = await PostAsync(client, new { prompt = "a" });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_api_key", root.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_SamePromptByAnotherUser_NeverServedFromTheFirstUsersCacheOrState()
    {
        using var alice = Server.CreateClient();
        using var bob = Server.CreateClient(Server.BobKey);
        var request = new { prompt = "Private " + Guid.NewGuid().ToString("N") + " words of alice", max_tokens = 4, temperature = 0 };

        var (_, first) = await PostAsync(alice, request);
        var (_, again) = await PostAsync(alice, request);
        var (_, bobs) = await PostAsync(bob, request);

        Assert.True(again.GetProperty("frugal").GetProperty("cached").GetBoolean(), "alice's own repeat comes from her cache");
        Assert.False(bobs.GetProperty("frugal").GetProperty("cached").GetBoolean());
        Assert.Equal(Text(first), Text(bobs));
    }

    private IInferenceEngine Engine =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<EngineReadiness>(Server.App.Services).GetEngine();

    private static int PromptTokens(JsonElement root) => root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();

    private static string Text(JsonElement root) => root.GetProperty("choices")[0].GetProperty("text").GetString()!;

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Root)> PostAsync(HttpClient client, object body, string route = Route)
    {
        using var response = await client.PostAsync(route, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
