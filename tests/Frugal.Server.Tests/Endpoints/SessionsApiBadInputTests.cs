using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Frugal.Tests.Endpoints;

/// <summary>Every bad request gets a 4xx with an OpenAI-style body, and changes nothing.</summary>
public sealed class SessionsApiBadInputTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string?, string?> BadMessages => new()
    {
        { "{\"content\": \"hi\"", null, null },                                    // malformed JSON
        { "[1, 2]", null, null },                                                   // not an object
        { "{\"content\": 5}", null, null },                                         // wrong type
        { "{\"content\": \"hi\", \"stream\": \"yes\"}", null, null },               // wrong type
        { "{\"content\": \"hi\", \"max_tokens\": \"ten\"}", null, null },           // wrong type
        { "{\"content\": \"hi\", \"temperature\": \"NaN\"}", null, null },          // NaN is not a JSON number
        { "{}", "content", "empty_content" },                                       // missing content
        { "{\"content\": \"\"}", "content", "empty_content" },
        { "{\"content\": \"   \\n \"}", "content", "empty_content" },
        { "{\"content\": \"\\ud800 lone surrogate\"}", null, null },
        { "{\"content\": \"hi\", \"max_tokens\": 0}", "max_tokens", "invalid_value" },
        { "{\"content\": \"hi\", \"max_tokens\": -5}", "max_tokens", "invalid_value" },
        { "{\"content\": \"hi\", \"max_tokens\": 513}", "max_tokens", "invalid_value" }, // above the test context (512)
        { "{\"content\": \"hi\", \"temperature\": -0.5}", "temperature", "invalid_value" },
        { "{\"content\": \"hi\", \"temperature\": 1e39}", null, null },             // overflows a float
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task SendMessage_BadBody_Answers400AndStoresNothing(string json, string? param, string? code)
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();

        using var response = await client.PostMessageAsync(id, json);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, code);
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        Assert.Empty(await client.GetMessagesAsync(id));
    }

    [Fact]
    public async Task SendMessage_InvalidUtf8_Answers400AndStoresNothing()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        byte[] body = [.. "{\"content\": \""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), content, TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await client.GetMessagesAsync(id));
    }

    [Fact]
    public async Task SendMessage_MoreTextThanTheContext_Answers400ContextLengthExceeded()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        var words = string.Join(' ', Enumerable.Repeat("elephant", 3000));

        using var response = await client.PostMessageAsync(id, $$"""{"content":"{{words}}","stream":true}""");

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "context_length_exceeded");
        Assert.Equal("content", error.GetProperty("param").GetString());
        Assert.Empty(await client.GetMessagesAsync(id));
    }

    [Fact]
    public async Task SendMessage_UnknownSession_Answers404()
    {
        using var client = server.CreateClient();
        using var response = await client.PostMessageAsync("ses_doesnotexist", """{"content":"hi"}""");
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task SendMessage_NotJsonContentType_Answers4xx()
    {
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync();
        using var response = await client.PostAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative),
            new StringContent("content=hi", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);
        Assert.InRange((int)response.StatusCode, 400, 499);
        await ErrorAssert.IsErrorAsync(response, response.StatusCode);
        Assert.Empty(await client.GetMessagesAsync(id));
    }

    [Fact]
    public async Task CreateSession_OverlongTitle_Answers400()
    {
        using var client = server.CreateClient();
        using var response = await client.PostAsync(new Uri("api/sessions", UriKind.Relative),
            new StringContent($$"""{"title":"{{new string('t', 201)}}"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("title", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task CreateSession_WrongTypes_Answers400()
    {
        using var client = server.CreateClient();
        using var response = await client.PostAsync(new Uri("api/sessions", UriKind.Relative),
            new StringContent("""{"title": ["a"]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest);
    }
}
