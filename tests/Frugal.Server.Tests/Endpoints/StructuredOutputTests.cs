using System.Net;
using System.Text;
using System.Text.Json;
using Json.Schema;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// OpenAI's structured outputs through the official .NET client against the real server: whatever the tiny random
/// model picks, the reply is JSON that validates against the schema (constrained decoding).
/// </summary>
public sealed class StructuredOutputTests(TinyServer tiny) : IClassFixture<TinyServer>
{
    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer","minimum":0,"maximum":120},
         "tags":{"type":"array","items":{"enum":["a","b","c"]},"maxItems":3},"born":{"type":"string","format":"date"}},
         "required":["name","age","tags","born"],"additionalProperties":false}
        """;

    private ServerFixture Server => tiny.Server;

    private ChatClient CreateChatClient() => OfficialClient.Chat(Server);

    [Fact]
    public async Task CompleteChat_JsonSchemaFormat_ReplyValidatesAgainstSchema()
    {
        var validator = JsonSchema.FromText(PersonSchema);
        for (var seed = 1; seed <= 3; seed++)
        {
            var options = OfficialClient.Seeded(seed, maxTokens: 300);
            options.ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(PersonSchema), jsonSchemaIsStrict: true);

            ChatCompletion completion = await CreateChatClient().CompleteChatAsync([new UserChatMessage("Describe a person.")], options,
                TestContext.Current.CancellationToken);

            Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
            using var reply = JsonDocument.Parse(completion.Content[0].Text);
            var result = validator.Evaluate(reply.RootElement, new EvaluationOptions { RequireFormatValidation = true });
            Assert.True(result.IsValid, completion.Content[0].Text);
        }
    }

    [Fact]
    public async Task CompleteChatStreaming_JsonObjectFormat_StreamedTextStartsAnObject()
    {
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(), MaxOutputTokenCount = 40, Temperature = 0f };
        var text = new StringBuilder();

        await foreach (var update in CreateChatClient().CompleteChatStreamingAsync([new UserChatMessage("JSON please.")], options, TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.StartsWith("{", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnsupportedSchemaKeyword_Answers400NamingIt()
    {
        using var client = Server.CreateClient();
        const string body = """
            {"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x",
             "schema":{"type":"object","properties":{"n":{"type":"integer","multipleOf":5}}}}}}
            """;

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_schema");
        Assert.Contains("multipleOf", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("response_format.json_schema.schema", error.GetProperty("param").GetString());
    }
}
