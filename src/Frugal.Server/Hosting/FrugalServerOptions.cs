using System.Net;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Memory;
using Frugal.Models;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>How <c>frugal serve</c> runs: where it listens, where it keeps data, which model, and its limits.</summary>
public sealed class FrugalServerOptions
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 8080;
    public const string DefaultDataDirectory = "./data";
    public const int DefaultQueueDepth = 16;
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The GGUF file to serve.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Address to bind: an IP address or <c>localhost</c>. Default 127.0.0.1.</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>TCP port; 0 picks a free one (tests read it back with <see cref="FrugalServer.GetBaseAddress"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Directory of the database file; created when missing.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>Requests that may wait for the inference worker; one more gets 503 with Retry-After.</summary>
    public int QueueDepth { get; set; } = DefaultQueueDepth;

    /// <summary>Context size in tokens; null takes the engine's default.</summary>
    public int? ContextSize { get; set; }

    /// <summary>Prompt tokens per decode call; null takes the engine's default.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Physical (micro) batch size, which sizes the compute buffer; null takes the engine's default.</summary>
    public int? MicroBatchSize { get; set; }

    /// <summary>Inference threads; null follows the CPU quota.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Sequences decoded together (continuous batching, that many requests at once); null lets the engine
    /// measure at load, trying <see cref="MaxAutoParallelSequences"/>.
    /// </summary>
    public int? ParallelSequences { get; set; }

    /// <summary>When <see cref="ParallelSequences"/> is null: the most sequences the memory plan allows the engine to try; 1 measures nothing.</summary>
    public int MaxAutoParallelSequences { get; set; } = 1;

    /// <summary>The chat format; null takes it from the model file (an unknown template is then an error).</summary>
    public ChatTemplateFamily? ChatTemplate { get; set; }

    /// <summary>Largest request body accepted; a bigger one gets 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// Bytes of replies kept for identical deterministic requests (temperature 0, or a fixed seed);
    /// 0 turns the response cache off.
    /// </summary>
    public ByteSize ResponseCacheSize { get; set; } = Frugal.Caching.ResponseCacheOptions.DefaultMaxBytes;

    /// <summary>Bytes of idle sessions' KV state kept in RAM (configuration <c>SessionState:MemoryBudget</c>).</summary>
    public ByteSize SessionStateMemoryBudget { get; set; } = TieredSessionStateStoreOptions.DefaultMemoryBudget;

    /// <summary>Bytes of idle sessions' KV state kept on disk under the data directory (configuration <c>SessionState:DiskBudget</c>).</summary>
    public ByteSize SessionStateDiskBudget { get; set; } = TieredSessionStateStoreOptions.DefaultDiskBudget;

    /// <summary>The memory governor's thresholds and actions (configuration section <c>Memory</c>).</summary>
    public MemoryGovernorOptions Memory { get; set; } = new();

    /// <summary>A PEM certificate (chain) file: Kestrel then speaks HTTPS; needs <see cref="TlsKeyPath"/>.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>True when Kestrel speaks HTTPS itself.</summary>
    public bool UsesTls => TlsCertificatePath is not null;

    /// <summary>Longest a generation may run; null: no limit beyond max_tokens.</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// Host names (the Host header, without port) accepted besides localhost, 127.0.0.1, [::1] and
    /// the bound address. <c>*</c> accepts any (gives up DNS-rebinding protection).
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Loads the engine in the background. Null (the default): the LLamaSharp engine on <see cref="ModelPath"/>
    /// with <see cref="ContextSize"/>. Set it to wrap the engine (caching, governor) or to load another one.
    /// </summary>
    public Func<FrugalServerOptions, ILoggerFactory, CancellationToken, Task<IInferenceEngine>>? EngineFactory { get; set; }

    /// <summary>
    /// This instance's name in the <c>X-Frugal-Instance</c> response header (letters, digits, <c>.</c>, <c>_</c>,
    /// <c>:</c>, <c>-</c>; at most 64); null: the machine's name and the port.
    /// </summary>
    public string? InstanceName { get; set; }

    /// <summary>True when <see cref="Host"/> is a loopback address or <c>localhost</c>.</summary>
    public bool IsLoopback => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Problems that stop the server from starting (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(Host, out _))
        {
            problems.Add($"--host '{Host}' is not an IP address or 'localhost'.");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"--port {Port} is not between 0 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add("--data must name a directory.");
        }

        if (InstanceName is { } instance && (instance.Length is 0 or > 64 || !instance.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')))
        {
            problems.Add($"--instance '{instance}' must be 1 to 64 letters, digits, '.', '_', ':' or '-'.");
        }

        if ((TlsCertificatePath is null) != (TlsKeyPath is null))
        {
            problems.Add("--tls-cert and --tls-key go together: give both PEM files, or neither.");
        }

        foreach (var file in new[] { TlsCertificatePath, TlsKeyPath }.OfType<string>().Where(f => !File.Exists(f)))
        {
            problems.Add($"{file}: no such TLS file.");
        }

        if (QueueDepth < 1)
        {
            problems.Add($"--queue-depth {QueueDepth} must be at least 1.");
        }

        if (ContextSize is < 16)
        {
            problems.Add($"--ctx {ContextSize} must be at least 16 tokens.");
        }

        if (MaxRequestBodyBytes < 1024)
        {
            problems.Add($"--max-body {MaxRequestBodyBytes} must be at least 1024 bytes.");
        }

        if (RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add("The request timeout must be positive.");
        }

        if (new MemoryGovernorOptionsValidator().Validate(null, Memory) is { Failed: true } memory)
        {
            problems.AddRange(memory.Failures.Select(f => $"Memory: {f}"));
        }

        return problems;
    }
}
