using System.Text;
using System.Text.Json;
using Json.Schema;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// Tool calls through the official OpenAI .NET client against the real server: constrained calls whose arguments
/// validate against the tool's schema, a round trip with the tool's result, and streamed tool-call deltas.
/// </summary>
public sealed class ToolCallTests(LongContextServer tiny) : IClassFixture<LongContextServer>
{
    private const string WeatherParameters = """
        {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":12},"unit":{"enum":["c","f"]},"days":{"type":"integer","minimum":1,"maximum":7}},
         "required":["city","unit"],"additionalProperties":false}
        """;

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "The weather in a city.", BinaryData.FromString(WeatherParameters));
    private static readonly ChatTool Time = ChatTool.CreateFunctionTool("get_time", "The time now.");

    private ServerFixture Server => tiny.Server;

    private ChatClient CreateChatClient() => OfficialClient.Chat(Server);

    [Fact]
    public async Task CompleteChat_RequiredToolChoice_CallsWithArgumentsThatValidate()
    {
        var validator = JsonSchema.FromText(WeatherParameters);
        for (var seed = 1; seed <= 3; seed++)
        {
            var options = Options(ChatToolChoice.CreateRequiredChoice(), seed);
            options.AllowParallelToolCalls = false; // one call: a random model would otherwise make up to eight

            ChatCompletion completion = await CreateChatClient().CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options,
                TestContext.Current.CancellationToken);

            Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, completion.FinishReason);
            Assert.Single(completion.ToolCalls);
            foreach (var call in completion.ToolCalls.Where(c => c.FunctionName == "get_weather"))
            {
                Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
                using var arguments = JsonDocument.Parse(call.FunctionArguments);
                Assert.True(validator.Evaluate(arguments.RootElement).IsValid, call.FunctionArguments.ToString());
            }

            Assert.All(completion.ToolCalls, c => Assert.Contains(c.FunctionName, new[] { "get_weather", "get_time" }));
        }
    }

    [Fact]
    public async Task CompleteChat_NamedToolThenResult_RoundTripAnswersInText()
    {
        var client = CreateChatClient();
        List<ChatMessage> messages = [new UserChatMessage("What time is it?")];

        ChatCompletion call = await client.CompleteChatAsync(messages, Options(ChatToolChoice.CreateFunctionChoice("get_time"), 5),
            TestContext.Current.CancellationToken);
        var toolCall = Assert.Single(call.ToolCalls);
        Assert.Equal("get_time", toolCall.FunctionName);
        Assert.Equal("{}", toolCall.FunctionArguments.ToString().Replace(" ", "", StringComparison.Ordinal));

        messages.Add(new AssistantChatMessage(call));
        messages.Add(new ToolChatMessage(toolCall.Id, "12:00"));
        var answer = await client.CompleteChatAsync(messages, Options(ChatToolChoice.CreateNoneChoice(), 5, maxTokens: 6), TestContext.Current.CancellationToken);

        Assert.Empty(answer.Value.ToolCalls);
        Assert.NotEmpty(answer.Value.Content[0].Text);
        Assert.NotEqual(OpenAI.Chat.ChatFinishReason.ToolCalls, answer.Value.FinishReason);
    }

    [Fact]
    public async Task CompleteChatStreaming_RequiredToolChoice_StreamsToolCallDeltas()
    {
        var ids = new List<string>();
        var names = new List<string>();
        var arguments = new Dictionary<int, StringBuilder>();
        OpenAI.Chat.ChatFinishReason? finish = null;

        await foreach (var update in CreateChatClient().CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")],
            Options(ChatToolChoice.CreateFunctionChoice("get_weather"), 2), TestContext.Current.CancellationToken))
        {
            foreach (var delta in update.ToolCallUpdates)
            {
                if (delta.ToolCallId is { } id)
                {
                    ids.Add(id);
                }

                if (delta.FunctionName is { } name)
                {
                    names.Add(name);
                }

                if (!arguments.TryGetValue(delta.Index, out var text))
                {
                    arguments[delta.Index] = text = new StringBuilder();
                }

                text.Append(delta.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, finish);
        Assert.Single(ids);
        Assert.Equal(["get_weather"], names);
        using var parsed = JsonDocument.Parse(arguments[0].ToString());
        Assert.True(JsonSchema.FromText(WeatherParameters).Evaluate(parsed.RootElement).IsValid, arguments[0].ToString());
    }

    [Fact]
    public async Task CompleteChat_AutoToolChoice_TextOrValidCalls()
    {
        for (var seed = 1; seed <= 2; seed++)
        {
            ChatCompletion completion = await CreateChatClient().CompleteChatAsync([new UserChatMessage("Hello.")],
                Options(ChatToolChoice.CreateAutoChoice(), seed, maxTokens: 60),
                TestContext.Current.CancellationToken);

            if (completion.FinishReason == OpenAI.Chat.ChatFinishReason.ToolCalls)
            {
                Assert.NotEmpty(completion.ToolCalls);
            }
            else
            {
                Assert.Empty(completion.ToolCalls);
                Assert.DoesNotContain("\"response\"", completion.Content.Count > 0 ? completion.Content[0].Text : "", StringComparison.Ordinal);
            }
        }
    }

    private static ChatCompletionOptions Options(ChatToolChoice choice, int seed, int maxTokens = 300)
    {
        var options = OfficialClient.Seeded(seed, maxTokens);
        options.ToolChoice = choice;
        options.Tools.Add(Weather);
        options.Tools.Add(Time);
        return options;
    }
}
