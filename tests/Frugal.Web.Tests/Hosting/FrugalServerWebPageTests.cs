using System.Net;

namespace Frugal.Web.Tests.Hosting;

/// <summary>The page as mapped by the real server: public, and the API around it unchanged.</summary>
public sealed class FrugalServerWebPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Root_WithoutKey_ServesThePage()
    {
        using var client = server.CreateClient(apiKey: null);
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Frugal</title>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/sessions")]
    [InlineData("api/no-such-route")]
    [InlineData("v1/no-such-route")]
    public async Task Api_WithoutKey_StillAnswers401(string path)
    {
        using var client = server.CreateClient(apiKey: null);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("api/no-such-route")]
    [InlineData("v1/no-such-route")]
    [InlineData("no-such-page.html")]
    public async Task UnknownRoute_WithKey_StillAnswers404(string path)
    {
        using var client = server.CreateClient(server.AliceKey);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "unknown_route");
    }

    [Fact]
    public async Task Root_ForeignHostHeader_IsRefused()
    {
        using var client = server.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        request.Headers.Host = "attacker.example";
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
