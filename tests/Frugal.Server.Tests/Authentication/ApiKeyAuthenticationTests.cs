using System.Net;
using System.Net.Http.Headers;
using Frugal.Server.Hosting;
using Frugal.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Frugal.Tests.Authentication;

/// <summary>
/// The API-key scheme and the deny-by-default policy on a real server with endpoints added the way a new
/// API would add them: declaring nothing needs a key, <c>AllowAnonymous()</c> is public.
/// </summary>
public sealed class ApiKeyAuthenticationTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private WebApplication? _app;
    private string _key = "";

    private WebApplication App => _app ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        var users = new SqliteUserStore(SqliteDatabase.Open(_data.Path));
        _key = (await users.CreateAsync("alice", TestContext.Current.CancellationToken)).ApiKey;
        _app = ServerFixture.Build(_data.Path);
        _app.MapGet("/added", (HttpContext context) => context.GetFrugalUser().Name);
        _app.MapPost("/api/added", (HttpContext context) => context.GetFrugalUser().Name);
        _app.MapGet("/open", () => "open").AllowAnonymous();
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _data.Dispose();
    }

    [Theory]
    [InlineData("GET", "added")]
    [InlineData("POST", "api/added")]
    public async Task NewEndpoint_DeclaresNothing_IsDeniedWithoutKey(string method, string path)
    {
        using var response = await SendAsync(method, path, request => { });

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("GET", "added")]
    [InlineData("POST", "api/added")]
    public async Task NewEndpoint_DeclaresNothing_AnswersWithBearerKey(string method, string path)
    {
        using var response = await SendAsync(method, path, request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task XApiKeyHeader_ActiveKey_AuthenticatesLikeBearer()
    {
        using var response = await SendAsync("GET", "added", request => request.Headers.Add("x-api-key", _key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task XApiKeyHeader_WrongKey_Answers401Incorrect()
    {
        using var response = await SendAsync("GET", "added", request => request.Headers.Add("x-api-key", _key + "x"));

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Contains("Incorrect", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousEndpoint_WithoutKey_Answers()
    {
        using var response = await SendAsync("GET", "open", request => { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("added/below")]      // under a new endpoint's first segment: protected like it
    [InlineData("api/not-there")]
    public async Task UnknownRoute_InAreaOfAProtectedEndpoint_Answers401WithoutKey(string path)
    {
        using var response = await SendAsync("GET", path, request => { });

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task UnknownRoute_OutsideEveryProtectedArea_Answers404WithoutKey()
    {
        using var response = await SendAsync("GET", "open/not-there", request => { });

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "unknown_route");
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, Action<HttpRequestMessage> prepare)
    {
        using var client = new HttpClient { BaseAddress = App.GetBaseAddress() };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        prepare(request);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
