using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Frugal.Tests.Hosting;

/// <summary>What a load balancer in front of several instances relies on: /ready drains at critical pressure, every answer names its instance.</summary>
public sealed class ScaleOutHostingTests
{
    [Fact]
    public async Task GetReady_CriticalPressure_Answers503DrainingWithRetryAfter()
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Memory.MediumThreshold = 0;
            o.Memory.HighThreshold = 0;
            o.Memory.CriticalThreshold = 1e-9; // any resident byte is over it
        });
        using var client = server.CreateClient(apiKey: null);

        using var ready = await client.GetAsync("ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.NotNull(ready.Headers.RetryAfter);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("draining", body.GetProperty("status").GetString());
        Assert.Contains("critical", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task AnyResponse_NamedInstance_CarriesTheInstanceHeaderAlsoOnErrors()
    {
        await using var server = await TinyServer.StartAsync(server: o => o.InstanceName = "box-7:8081");
        using var anonymous = server.CreateClient(apiKey: null);
        using var alice = server.CreateClient();

        using var ready = await anonymous.GetAsync("ready", TestContext.Current.CancellationToken);
        using var refused = await anonymous.GetAsync("api/sessions", TestContext.Current.CancellationToken);
        using var missing = await alice.GetAsync("api/sessions/ses_nope/messages", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.All([ready, refused, missing], r => Assert.Equal("box-7:8081", r.Headers.GetValues("X-Frugal-Instance").Single()));
    }

    [Fact]
    public async Task Build_BadInstanceName_IsRefusedAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await TinyServer.StartAsync(server: o => o.InstanceName = "two words"));
        Assert.Contains("Server:InstanceName 'two words'", error.Message, StringComparison.Ordinal);
    }
}
