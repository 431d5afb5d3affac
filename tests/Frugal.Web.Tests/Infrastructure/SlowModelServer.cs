using Frugal.Models;
using Frugal.DependencyInjection;

namespace Frugal.Web.Tests.Infrastructure;

/// <summary>
/// A real Frugal server (<see cref="ServerFixture"/>: Kestrel on a loopback port, SQLite, users alice
/// and bob) whose model is long-winded enough to stop or queue behind: a llama of about 90 MB with the
/// 32,000-token vocabulary of ggml-vocab-llama-spm.gguf and random weights, synthesized once per run.
/// </summary>
/// <remarks>
/// The tiny model writes a reply of hundreds of tokens in a blink and its small vocabulary makes an
/// early end of sequence likely, so a click on Stop would race the reply's end. This one decodes about
/// ten times slower (on one thread), and with 32,000 tokens the chance that random weights pick the end of sequence is
/// small; at temperature 0 the reply to a fixed prompt is the same on every run and ends only at
/// <see cref="LongReplyTokens"/>, a minute or more after the tests have acted. They act on what they observe
/// (the first streamed text, the queued state), never after a fixed delay.
/// </remarks>
public sealed class SlowModelServer : IAsyncLifetime
{
    /// <summary>Context size of the server: room for a long reply.</summary>
    public const int ContextSize = 4096;

    /// <summary>A max_tokens a test can give to keep the one worker busy (a minute or more) until it stops the reply.</summary>
    public const int LongReplyTokens = 4000;

    /// <summary>A prompt whose greedy (temperature 0) reply does not end before <see cref="LongReplyTokens"/>.</summary>
    public const string LongPrompt = "Tell me a long story.";

    /// <summary>Wider and deeper than the tiny test model: each token costs several milliseconds.</summary>
    public static ModelShape Shape { get; } = new()
    {
        Name = "slow",
        EmbeddingLength = 768,
        BlockCount = 6,
        FeedForwardLength = 2048,
        HeadCount = 12,
        HeadCountKv = 4,
        ContextLength = ContextSize,
    };

    private static readonly Lazy<string> Model = new(() => TestModels.Write(
        "slow.gguf", path => ModelSynthesizer.Write(path, new SynthesisOptions { Shape = Shape, VocabularyFrom = TestModels.Vocabulary })));

    private ServerFixture? _server;

    /// <summary>The synthesized model file (written on first use).</summary>
    public static string ModelPath => Model.Value;

    public ServerFixture Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Starts a server of its own on the slow model, with further changes to its options.</summary>
    public static Task<ServerFixture> StartAsync(Action<FrugalOptions>? configure = null) =>
        ServerFixture.StartAsync(o =>
        {
            Configure(o);
            configure?.Invoke(o);
        });

    public async ValueTask InitializeAsync() => _server = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static void Configure(FrugalOptions options)
    {
        options.Model.Path = ModelPath;
        options.Model.ContextSize = ContextSize;
        // One inference thread leaves a core to the browser and the test: the page keeps up with the
        // stream and a click reaches the server while the reply is young, even on a busy machine.
        options.Model.Threads = 1;
        // A busy test machine must not cap the long reply (128 tokens at high pressure) or halve the
        // queue: the governor only steps in past the limit itself. The banner tests set their own levels.
        options.Memory.MediumThreshold = 1.0;
        options.Memory.HighThreshold = 1.0;
        options.Memory.CriticalThreshold = 1.5;
        options.Memory.ThrashingStallPercent = 0;
        options.Memory.ThrashingMajorFaultsPerSecond = 0;
    }
}
