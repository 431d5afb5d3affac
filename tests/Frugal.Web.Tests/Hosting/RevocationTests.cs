using System.Net;
using System.Net.Http.Json;
using Frugal.Users;
using Frugal.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Frugal.Web.Tests.Hosting;

/// <summary>
/// Revoking a key ends that user's running streams: on the slow synthesized model (<see cref="SlowModelServer"/>)
/// a greedy reply to its long prompt runs a minute or more, so a stream that outlives revocation shows.
/// </summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task RevokeUser_DuringTheirStream_StreamEndsLongBeforeItsReply()
    {
        await using var server = await SlowModelServer.StartAsync();
        using var alice = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                stream = true,
                temperature = 0,
                max_tokens = SlowModelServer.LongReplyTokens,
                messages = new[] { new { role = "user", content = SlowModelServer.LongPrompt } },
            }),
        };
        using var response = await alice.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } first && !first.StartsWith("data: {", StringComparison.Ordinal))
        {
            // Wait until the reply streams (queue comments come first).
        }

        Assert.True(await server.App.Services.GetRequiredService<IUserStore>().RevokeAsync("alice", TestContext.Current.CancellationToken));
        var started = DateTime.UtcNow;
        var chunks = 0;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                chunks += line.StartsWith("data: {", StringComparison.Ordinal) ? 1 : 0;
            }
        }
        catch (IOException)
        {
            // The server aborted the connection: what revocation does to a running stream.
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the stream of a revoked user kept running");
        Assert.True(chunks < SlowModelServer.LongReplyTokens / 2, $"{chunks} chunks after revocation");
        using var after = await alice.GetAsync("v1/models", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
