using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Frugal.Inference;
using Frugal.Web.Tests.Infrastructure;

namespace Frugal.Web.Tests.Hosting;

/// <summary>
/// Scheduling for latency on a real server over HTTP: with two streams, a request that arrives while another
/// user's long reply streams has its prompt evaluated in chunks between that reply's steps and starts streaming
/// before the long reply ends; at temperature 0 both replies are what each gives alone. The slow synthesized
/// model (<see cref="SlowModelServer"/>) makes "during the long reply" a wide window; the tests act on the
/// order of events, never on their times.
/// </summary>
public sealed class InterleavedStreamsTests
{
    private const int LongTokens = 400;
    private const int ShortTokens = 24;
    private const string ShortPrompt = "Name three rivers of Europe and say which sea each of them flows into, please.";

    [Fact]
    public async Task ChatCompletions_RequestDuringLongReply_StartsBeforeItEndsAndBothEqualTheirSoloReplies()
    {
        await using var server = await SlowModelServer.StartAsync(o =>
        {
            o.Model.ParallelSequences = 2;
            // Small chunks: the short prompt takes several steps beside the long reply's tokens.
            o.Model.PrefillChunkTokens = 8;
            // A floor no busy machine falls below: this test is about interleaving, not admission.
            o.Model.StreamFloorTokensPerSecond = 0.01;
            // Every reply is generated, never answered from the cache of the solo runs.
            o.ResponseCache.MaxBytes = default;
        });
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);

        var longAlone = await StreamAsync(alice, SlowModelServer.LongPrompt, LongTokens, new EventLog("long"), cancellationToken: TestContext.Current.CancellationToken);
        var shortAlone = await StreamAsync(bob, ShortPrompt, ShortTokens, new EventLog("short"), cancellationToken: TestContext.Current.CancellationToken);

        var log = new EventLog("both");
        var longStreaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var longTogether = StreamAsync(alice, SlowModelServer.LongPrompt, LongTokens, log, () => longStreaming.TrySetResult(),
            cancellationToken: TestContext.Current.CancellationToken);
        await longStreaming.Task;
        var shortTogether = await StreamAsync(bob, ShortPrompt, ShortTokens, log, cancellationToken: TestContext.Current.CancellationToken);
        var longReply = await longTogether;

        Assert.Equal(longAlone.Text, longReply.Text);
        Assert.Equal(shortAlone.Text, shortTogether.Text);
        Assert.True(longReply.Chunks > ShortTokens, $"the long reply streamed {longReply.Chunks} chunks");
        Assert.True(log.IndexOf($"first:{ShortPrompt}") < log.IndexOf($"done:{SlowModelServer.LongPrompt}"),
            "the short request's first token came only after the long reply had ended: " + log);
        Assert.True(log.IndexOf($"done:{ShortPrompt}") < log.IndexOf($"done:{SlowModelServer.LongPrompt}"),
            "the short reply did not finish while the long one streamed: " + log);
    }

    [Fact]
    public async Task StatusAndMetrics_WhileAReplyStreams_ShowTheStreamItsRateAndTheLimit()
    {
        await using var server = await SlowModelServer.StartAsync(o =>
        {
            o.Model.ParallelSequences = 2;
            o.Model.StreamFloorTokensPerSecond = 0.01;
        });
        using var alice = server.CreateClient();
        using var cancel = new CancellationTokenSource();
        var fifthChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streaming = StreamAsync(alice, SlowModelServer.LongPrompt, SlowModelServer.LongReplyTokens, new EventLog("status"),
            onText: chunks =>
            {
                if (chunks == 5)
                {
                    fifthChunk.TrySetResult();
                }
            }, cancellationToken: cancel.Token);
        await fifthChunk.Task;

        // Five chunks in: the loop published the stream after at least four of its tokens, so it has a rate.
        using var document = JsonDocument.Parse(await alice.GetStringAsync("status", TestContext.Current.CancellationToken));
        var status = document.RootElement;
        var metrics = await server.CreateClient(apiKey: null).GetStringAsync("metrics", TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => streaming);

        Assert.Equal(1, status.GetProperty("streaming_replies").GetInt32());
        Assert.Equal(2, status.GetProperty("stream_limit").GetInt32());
        Assert.Equal(0.01, status.GetProperty("stream_floor_tokens_per_second").GetDouble());
        Assert.Equal(EngineOptions.DefaultPrefillHorizonTokens, status.GetProperty("prefill_horizon_tokens").GetInt32());
        var stream = Assert.Single(status.GetProperty("streams").EnumerateArray());
        Assert.Equal("streaming", stream.GetProperty("state").GetString());
        Assert.True(stream.GetProperty("completion_tokens").GetInt32() >= 4);
        Assert.True(stream.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.Equal(stream.GetProperty("prompt_tokens").GetInt32(), stream.GetProperty("evaluated_tokens").GetInt32());
        Assert.Contains("frugal_streams_streaming 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("frugal_streams_prefilling 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("frugal_streams_limit 2\n", metrics, StringComparison.Ordinal);
        var slot = stream.GetProperty("slot").GetInt32();
        Assert.Contains($"frugal_stream_tokens_per_second{{slot=\"{1 - slot}\"}} 0\n", metrics, StringComparison.Ordinal);
        var rate = Regex.Match(metrics, $"frugal_stream_tokens_per_second\\{{slot=\"{slot}\"\\}} (\\S+)\n");
        Assert.True(rate.Success && double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture) > 0, metrics);
    }

    [Fact]
    public async Task StatusAndMetrics_TwoStreamsAndAQueuedRequest_ShowBothStreamsTheirRatesAndTheQueue()
    {
        await using var server = await SlowModelServer.StartAsync(o =>
        {
            o.Model.ParallelSequences = 2;
            o.Model.StreamFloorTokensPerSecond = 0.01;
        });
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var log = new EventLog("two streams");

        // Alice's and Bob's long replies take both slots; each is five chunks in (so each has a rate) before Alice's
        // second request arrives, which waits in the queue: its stream says so before the status is read.
        var streams = new List<Task<(string Text, int Chunks)>>();
        foreach (var (client, prompt) in new[] { (alice, SlowModelServer.LongPrompt), (bob, SlowModelServer.LongPrompt) })
        {
            var fifthChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            streams.Add(StreamAsync(client, prompt, SlowModelServer.LongReplyTokens, log,
                onText: chunks =>
                {
                    if (chunks == 5)
                    {
                        fifthChunk.TrySetResult();
                    }
                }, cancellationToken: cancel.Token));
            await fifthChunk.Task.WaitAsync(TestContext.Current.CancellationToken);
        }

        var queued = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        streams.Add(StreamAsync(alice, ShortPrompt, ShortTokens, log, onQueued: position => queued.TrySetResult(position), cancellationToken: cancel.Token));
        Assert.Equal(1, await queued.Task.WaitAsync(TestContext.Current.CancellationToken));

        using var document = JsonDocument.Parse(await alice.GetStringAsync("status", TestContext.Current.CancellationToken));
        var status = document.RootElement;
        var metrics = await server.CreateClient(apiKey: null).GetStringAsync("metrics", TestContext.Current.CancellationToken);
        var ended = log.ToString();
        await cancel.CancelAsync();
        foreach (var stream in streams)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream);
        }

        // Both long replies were still streaming and the third still waiting when the figures were read.
        Assert.DoesNotContain("done:", ended, StringComparison.Ordinal);
        Assert.Equal(2, status.GetProperty("streaming_replies").GetInt32());
        Assert.Equal(1, status.GetProperty("queue_depth").GetInt32());
        Assert.Equal([1], status.GetProperty("your_queue_positions").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(2, status.GetProperty("stream_limit").GetInt32());
        var running = status.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal([0, 1], running.Select(s => s.GetProperty("slot").GetInt32()).Order());
        Assert.Contains("frugal_streams_streaming 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("frugal_streams_prefilling 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("frugal_queue_depth 1\n", metrics, StringComparison.Ordinal);
        foreach (var stream in running)
        {
            Assert.Equal("streaming", stream.GetProperty("state").GetString());
            Assert.True(stream.GetProperty("completion_tokens").GetInt32() >= 4, stream.ToString());
            Assert.True(stream.GetProperty("tokens_per_second").GetDouble() > 0, stream.ToString());
            var rate = Regex.Match(metrics, $"frugal_stream_tokens_per_second\\{{slot=\"{stream.GetProperty("slot").GetInt32()}\"\\}} (\\S+)\n");
            Assert.True(rate.Success && double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture) > 0, metrics);
        }
    }

    /// <summary>Streams one greedy reply, logging its first text chunk and its end.</summary>
    private static async Task<(string Text, int Chunks)> StreamAsync(HttpClient client, string prompt, int maxTokens, EventLog log,
        Action? onFirstText = null, Action<int>? onText = null, Action<int>? onQueued = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                stream = true,
                temperature = 0,
                max_tokens = maxTokens,
                messages = new[] { new { role = "user", content = prompt } },
            }),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        var text = new StringBuilder();
        var chunks = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == "data: [DONE]")
            {
                break;
            }

            if (line.StartsWith(": queued ", StringComparison.Ordinal))
            {
                onQueued?.Invoke(int.Parse(line[": queued ".Length..], CultureInfo.InvariantCulture));
            }

            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            var choice = chunk.RootElement.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 } piece)
            {
                if (chunks++ == 0)
                {
                    log.Add($"first:{prompt}");
                    onFirstText?.Invoke();
                }

                text.Append(piece);
                onText?.Invoke(chunks);
            }
        }

        log.Add($"done:{prompt}");
        return (text.ToString(), chunks);
    }

    /// <summary>Events of concurrent streams in the order they happened.</summary>
    private sealed class EventLog(string name)
    {
        private readonly List<string> _events = [];

        public void Add(string name)
        {
            lock (_events)
            {
                _events.Add(name);
            }
        }

        public int IndexOf(string name)
        {
            lock (_events)
            {
                var index = _events.IndexOf(name);
                Assert.True(index >= 0, $"no event {name} in {this}");
                return index;
            }
        }

        public override string ToString()
        {
            lock (_events)
            {
                return $"{name}: {string.Join(" | ", _events)}";
            }
        }
    }
}
