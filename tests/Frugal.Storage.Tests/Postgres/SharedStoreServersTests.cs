using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Frugal.Storage.Postgres;
using Frugal.Tests.Infrastructure;
using Frugal.Users;

namespace Frugal.Tests.Postgres;

/// <summary>Two real instances on one PostgreSQL database, as behind a load balancer.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedStoreServersTests(PostgresCluster cluster) : IAsyncLifetime
{
    private readonly PostgresLocation _location = new(cluster);
    private PostgresServer? _a;
    private PostgresServer? _b;
    private string _alice = "";
    private string _bob = "";
    private IUserStore? _cli;

    private PostgresServer A => _a!;

    private PostgresServer B => _b!;

    public async ValueTask InitializeAsync()
    {
        // What 'frugal user add --database postgres://…' does: its own connection, not an instance's.
        _cli = new PostgresUserStore(await _location.OpenDatabaseAsync());
        _alice = (await _cli.CreateAsync("alice")).ApiKey;
        _bob = (await _cli.CreateAsync("bob")).ApiKey;
        var connection = cluster.ConnectionString(await _location.UrlAsync());
        // A lease wait well past what six queued replies take on a busy two-core machine (5 s for the whole class alone;
        // one run beside another ./test waited more than 30 s and answered 409): these tests are about sharing and
        // order, the 409 has a test of its own below.
        _a = await PostgresServer.StartAsync("instance-a", connection, TimeSpan.FromSeconds(100));
        _b = await PostgresServer.StartAsync("instance-b", connection, TimeSpan.FromSeconds(100));
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await _location.DisposeAsync();
    }

    [Fact]
    public async Task Sessions_CreatedOnOneInstance_AreSharedWithTheOtherAndStayPrivate()
    {
        using var aliceOnA = A.CreateClient(_alice);
        using var aliceOnB = B.CreateClient(_alice);
        using var bobOnB = B.CreateClient(_bob);

        var created = await aliceOnA.PostAsJsonAsync("api/sessions", new { title = "shared" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("instance-a", created.Headers.GetValues("X-Frugal-Instance").Single());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken: TestContext.Current.CancellationToken)).GetProperty("id").GetString();
        var reply = await aliceOnB.PostAsJsonAsync($"api/sessions/{id}/messages", new { content = "hello from b", max_tokens = 8, temperature = 0 },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("instance-b", reply.Headers.GetValues("X-Frugal-Instance").Single());

        var messages = await aliceOnA.GetFromJsonAsync<JsonElement>($"api/sessions/{id}/messages", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["user", "assistant"], messages.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await bobOnB.GetAsync($"api/sessions/{id}/messages", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Empty((await bobOnB.GetFromJsonAsync<JsonElement>("api/sessions",
            cancellationToken: TestContext.Current.CancellationToken)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task SendAsync_SameSessionOnBothInstancesAtOnce_RepliesNeverInterleave()
    {
        using var aliceOnA = A.CreateClient(_alice);
        using var aliceOnB = B.CreateClient(_alice);
        var id = await CreateSessionAsync(aliceOnA);

        var sends = Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? aliceOnA : aliceOnB)
            .PostAsJsonAsync($"api/sessions/{id}/messages", new { content = $"message {i}", max_tokens = 24, temperature = 0 }));
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var messages = (await aliceOnB.GetFromJsonAsync<JsonElement>($"api/sessions/{id}/messages",
            cancellationToken: TestContext.Current.CancellationToken)).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(12, messages.Count);
        // user, assistant, user, assistant, ...: each reply follows the message it answers.
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? "user" : "assistant"), messages.Select(m => m.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task SendAsync_SessionHeldByAnotherInstancePastTheWait_Answers409WithRetryAfter()
    {
        await using var impatient = await PostgresServer.StartAsync("instance-c", cluster.ConnectionString(await _location.UrlAsync()), TimeSpan.FromMilliseconds(300));
        await using var third = new PostgresSessionLeases(await _location.OpenDatabaseAsync());
        using var aliceOnC = impatient.CreateClient(_alice);
        var id = await CreateSessionAsync(aliceOnC);

        var held = await third.AcquireAsync(id, TestContext.Current.CancellationToken);
        var busy = await aliceOnC.PostAsJsonAsync($"api/sessions/{id}/messages", new { content = "hello", max_tokens = 4 },
            cancellationToken: TestContext.Current.CancellationToken);
        await held.DisposeAsync();
        var free = await aliceOnC.PostAsJsonAsync($"api/sessions/{id}/messages", new { content = "hello again", max_tokens = 4 },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.NotNull(busy.Headers.RetryAfter);
        var error = (await busy.Content.ReadFromJsonAsync<JsonElement>(cancellationToken: TestContext.Current.CancellationToken)).GetProperty("error");
        Assert.Equal("session_busy", error.GetProperty("code").GetString());
        Assert.Contains("another Frugal instance", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        // The refused message left nothing behind.
        var contents = (await aliceOnC.GetFromJsonAsync<JsonElement>($"api/sessions/{id}/messages",
            cancellationToken: TestContext.Current.CancellationToken)).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("content").GetString()).ToList();
        Assert.DoesNotContain("hello", contents);
        Assert.Contains("hello again", contents);
    }

    [Fact]
    public async Task Revoke_ThroughTheCliOnTheSharedDatabase_StopsTheKeyOnEveryInstance()
    {
        using var bobOnA = A.CreateClient(_bob);
        using var bobOnB = B.CreateClient(_bob);
        using var aliceOnB = B.CreateClient(_alice);
        Assert.Equal(HttpStatusCode.OK, (await bobOnA.GetAsync("api/sessions", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bobOnB.GetAsync("api/sessions", TestContext.Current.CancellationToken)).StatusCode);

        Assert.True(await _cli!.RevokeAsync("bob", TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, (await bobOnA.GetAsync("api/sessions", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bobOnB.GetAsync("api/sessions", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await aliceOnB.GetAsync("api/sessions", TestContext.Current.CancellationToken)).StatusCode);
    }

    private static async Task<string> CreateSessionAsync(HttpClient client)
    {
        var created = await client.PostAsJsonAsync("api/sessions", new { title = "t" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
