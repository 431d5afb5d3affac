using System.Net;
using System.Text;
using Frugal.Server.Hosting;
using Frugal.Storage.Sqlite;

namespace Frugal.Tests.Hosting;

public sealed class FrugalServerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Api_WithoutKey_Answers401()
    {
        using var client = server.CreateClient(apiKey: null);
        using var response = await client.GetAsync(new Uri("api/sessions", UriKind.Relative), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("frugal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task Api_WithWrongKey_Answers401(string key)
    {
        using var client = server.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("v1/models", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Api_WithAlteredKey_Answers401()
    {
        // Same lookup id, different secret part: the hash comparison must refuse it.
        var key = server.AliceKey;
        var altered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        using var client = server.CreateClient(altered);
        using var response = await client.GetAsync(new Uri("api/sessions", UriKind.Relative), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Api_WithRevokedUsersKey_Answers401()
    {
        var users = new SqliteUserStore(SqliteDatabase.Open(server.DataDirectory));
        var carol = await users.CreateAsync("carol-" + Guid.NewGuid().ToString("N")[..8], TestContext.Current.CancellationToken);
        using var client = server.CreateClient(carol.ApiKey);
        using (var before = await client.GetAsync(new Uri("api/nothing-here", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            // Authenticated: past the key check, the route is unknown.
            await ErrorAssert.IsErrorAsync(before, HttpStatusCode.NotFound, "unknown_route");
        }

        Assert.True(await users.RevokeAsync(carol.User.Name, TestContext.Current.CancellationToken));
        using var after = await client.GetAsync(new Uri("api/nothing-here", UriKind.Relative), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task UnknownRoute_OutsideApi_Answers404Json()
    {
        using var client = server.CreateClient(apiKey: null);
        using var response = await client.GetAsync(new Uri("no/such/page", UriKind.Relative), TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "unknown_route");
    }

    [Fact]
    public async Task WrongMethod_OnKnownRoute_Answers405Json()
    {
        using var client = server.CreateClient();
        using var response = await client.PutAsync(new Uri("api/sessions", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8080")]
    [InlineData("127.0.0.1.evil.example")]
    public async Task Request_WithForeignHostHeader_IsRefused(string host)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/sessions", UriKind.Relative));
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Forbidden, "host_not_allowed");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:1234")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:80")]
    public async Task Request_WithLoopbackHostHeader_PassesTheFilter(string host)
    {
        using var client = server.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/sessions", UriKind.Relative));
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // Past the host filter: the key check answers.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_WithConfiguredHostName_PassesTheFilter()
    {
        await using var own = await ServerFixture.StartAsync(server: s => s.AllowedHosts.Add("frugal.lan"));
        using var client = own.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/sessions", UriKind.Relative));
        request.Headers.Host = "frugal.lan:8080";
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Body_OverTheLimit_Answers413()
    {
        await using var own = await ServerFixture.StartAsync(server: s => s.MaxRequestBodySize = Frugal.ByteSize.FromKibibytes(4));
        using var client = own.CreateClient();
        var body = $$"""{"title": "{{new string('x', 5000)}}"}""";
        using var response = await client.PostAsync(new Uri("api/sessions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public void Build_NonLoopbackWithoutUsers_Refuses()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "frugal-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var error = Assert.Throws<ServerStartException>(() => ServerFixture.Build(dataDirectory, new Dictionary<string, string?> { ["Server:Host"] = "0.0.0.0" }));
            Assert.Contains("frugal user add", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void Build_InvalidOptions_SaysWhatIsWrong()
    {
        var error = Assert.Throws<ServerStartException>(() => ServerFixture.Build(
            Path.GetTempPath(), new Dictionary<string, string?> { ["Server:Host"] = "not an address", ["Server:Port"] = "70000", ["Scheduler:MaxQueueDepth"] = "0" }));
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Contains(lines, l => l.StartsWith("Server:Host 'not an address'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Server:Port must be between 0 and 65535", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Scheduler:MaxQueueDepth must be between 1 and 10000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Server:Prot", "Prot")]
    [InlineData("Model:ContextSize", "Model:ContextSize")]
    public void Build_UnknownKeyOrBadValue_NamesIt(string key, string expected)
    {
        var error = Assert.Throws<ServerStartException>(() => ServerFixture.Build(Path.GetTempPath(), new Dictionary<string, string?> { [key] = "eighty" }));

        Assert.Contains(expected, Assert.Single(error.Message.Split(Environment.NewLine)), StringComparison.Ordinal);
    }
}
