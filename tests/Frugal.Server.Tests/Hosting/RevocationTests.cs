using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Frugal.Tests.Hosting;

public sealed class RevocationTests
{
    [Fact]
    public async Task RevokeUser_DuringTheirStream_StreamEndsLongBeforeItsReply()
    {
        // The real engine, slowed to 100 ms a token: a 300-token reply would take 30 s.
        await using var server = await ServerFixture.StartAsync(o => o.EngineFactory = async (options, loggers, ct) => new SlowEngine(
            await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = options.ModelPath, ContextSize = options.ContextSize ?? 0 }, loggers.CreateLogger<LlamaEngine>(), ct)));
        using var alice = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new { stream = true, max_tokens = 300, messages = new[] { new { role = "user", content = "Tell me a long story" } } }),
        };
        using var response = await alice.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        Assert.NotNull(await reader.ReadLineAsync());   // the stream runs

        Assert.True(await server.App.Services.GetRequiredService<IUserStore>().RevokeAsync("alice"));
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
        Assert.True(chunks < 250, $"{chunks} chunks after revocation");
        using var after = await alice.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private sealed class SlowEngine(IInferenceEngine inner) : IInferenceEngine
    {
        public ModelInfo Model => inner.Model;

        public int ContextSize => inner.ContextSize;

        public ChatTemplateFamily TemplateFamily => inner.TemplateFamily;

        public int CountTokens(string text) => inner.CountTokens(text);

        public int CountPromptTokens(IReadOnlyList<ChatTurn> messages) => inner.CountPromptTokens(messages);

        public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var update in inner.GenerateAsync(request with { StopAtEndOfSequence = false }, cancellationToken))
            {
                yield return update;
                await Task.Delay(100, CancellationToken.None);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
