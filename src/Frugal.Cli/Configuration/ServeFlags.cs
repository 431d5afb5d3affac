using System.CommandLine;
using System.Globalization;
using Frugal.Cli.Commands;

namespace Frugal.Cli.Configuration;

/// <summary>
/// The flags of <c>frugal serve</c>, each a short way to write one settings key (a flag the operator did not give sets
/// nothing, so files and environment variables keep their say).
/// </summary>
internal sealed class ServeFlags
{
    public Option<string?> Model { get; } = new("--model", "-m") { Description = "The GGUF model file (Model:Path; default: the catalogue's default model in the models directory)." };
    public Option<string?> Models { get; } = ModelPullCommand.ModelsOption();
    public Option<bool> Pull { get; } = new("--pull") { Description = "Without a model file: pull the default model first when it is missing." };
    public Option<string?> TlsCertificate { get; } = new("--tls-cert") { Description = "Speak HTTPS with this PEM certificate (chain) file; needs --tls-key (Server:TlsCertificatePath).", HelpName = "FILE" };
    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "The PEM private key of --tls-cert (Server:TlsKeyPath).", HelpName = "FILE" };
    public Option<string?> Host { get; } = new("--host") { Description = "Address to listen on, an IP address or localhost (Server:Host; default 127.0.0.1)." };
    public Option<int?> Port { get; } = new("--port") { Description = "TCP port, 0 picks a free one (Server:Port; default 8080)." };
    public Option<string?> Data { get; } = new("--data") { Description = "Data directory: the database and kept KV states (Storage:Directory; default ./data)." };
    public Option<string?> Database { get; } = new("--database") { Description = "The database: a SQLite file, sqlite:PATH, or postgres://USER@HOST:PORT/DB shared by several instances, its password from FRUGAL_DATABASE_PASSWORD_FILE or FRUGAL_DATABASE_PASSWORD (Storage:Database; env FRUGAL_DATABASE; default DATA/frugal.db)." };
    public Option<int?> QueueDepth { get; } = new("--queue-depth") { Description = "Requests that may wait for the model; one more gets 503 (Scheduler:MaxQueueDepth; default 16)." };
    public Option<int?> ContextSize { get; } = new("--ctx") { Description = "Context size in tokens, 0: chosen for the box (Model:ContextSize; env FRUGAL_CTX)." };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Inference threads, 0: from the CPU quota (Model:Threads; env FRUGAL_THREADS)." };
    public Option<int?> Batch { get; } = new("--batch") { Description = "Prompt tokens per decode call, 0: chosen (Model:BatchSize; env FRUGAL_BATCH)." };
    public Option<int?> MicroBatch { get; } = new("--ubatch") { Description = "Micro-batch size, which sizes the compute buffer, 0: chosen (Model:MicroBatchSize; env FRUGAL_UBATCH)." };
    public Option<int?> Parallel { get; } = new("--parallel") { Description = "Replies streaming at once (decoded together in one batch), 1: one at a time, 0: as many as keep the stream floor, measured at start within the memory plan (Model:ParallelSequences; env FRUGAL_PARALLEL)." };
    public Option<double?> StreamFloor { get; } = new("--stream-floor") { Description = "Slowest a streaming reply may become because others joined, tokens/s; a request that would push below it waits (Model:StreamFloorTokensPerSecond; env FRUGAL_STREAM_FLOOR; default 6)." };
    public Option<int?> PrefillChunk { get; } = new("--prefill-chunk") { Description = "Prompt tokens a starting request evaluates per step while other replies stream, 0: chosen at start (Model:PrefillChunkTokens; env FRUGAL_PREFILL_CHUNK)." };
    public Option<int?> PrefillHorizon { get; } = new("--prefill-horizon") { Description = "Reply tokens ahead over which a starting request's prompt may use the time streaming replies have in hand over the floor, 0: no pacing (Model:PrefillHorizonTokens; env FRUGAL_PREFILL_HORIZON; default 64)." };
    public Option<string?> ContextShift { get; } = ContextShiftOption();
    public Option<int?> StreamsPerUser { get; } = new("--streams-per-user") { Description = "Replies one user may have streaming at once; more of theirs queue (Scheduler:MaxRunningPerUser; default 2)." };
    public Option<string?> ChatTemplate { get; } = InferenceOptions.ChatTemplateOption();
    public Option<string?> MaxBody { get; } = new("--max-body") { Description = "Largest request body, e.g. 1m or 65536 (Server:MaxRequestBodySize; default 1m)." };
    public Option<int?> Timeout { get; } = new("--timeout") { Description = "Longest a generation may run, in seconds (Scheduler:MaxGenerationTime; default 5 minutes)." };
    public Option<string?> AllowedHosts { get; } = new("--allowed-hosts") { Description = "Comma-separated extra Host names to answer to, besides localhost and the bound address (Server:AllowedHosts)." };
    public Option<string?> Config { get; } = new("--config") { Description = "A JSON settings file, read after appsettings.json beside the binary and in the working directory." };
    public Option<string[]> Set { get; } = new("--set") { Description = "Override one setting, e.g. --set Memory:HighThreshold=0.85 (wins over files, environment and flags).", AllowMultipleArgumentsPerToken = false };

    /// <summary>The settings keys that have a flag, and the flag.</summary>
    public static IReadOnlyDictionary<string, string> FlagOfKey { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Model:Path"] = "--model",
        ["Model:ContextSize"] = "--ctx",
        ["Model:BatchSize"] = "--batch",
        ["Model:MicroBatchSize"] = "--ubatch",
        ["Model:Threads"] = "--threads",
        ["Model:ParallelSequences"] = "--parallel",
        ["Model:StreamFloorTokensPerSecond"] = "--stream-floor",
        ["Model:PrefillChunkTokens"] = "--prefill-chunk",
        ["Model:PrefillHorizonTokens"] = "--prefill-horizon",
        ["Model:ContextShift"] = "--context-shift",
        ["Scheduler:MaxRunningPerUser"] = "--streams-per-user",
        ["Model:ChatTemplate"] = "--chat-template",
        ["Scheduler:MaxQueueDepth"] = "--queue-depth",
        ["Scheduler:MaxGenerationTime"] = "--timeout",
        ["Server:Host"] = "--host",
        ["Server:Port"] = "--port",
        ["Server:MaxRequestBodySize"] = "--max-body",
        ["Server:AllowedHosts"] = "--allowed-hosts",
        ["Server:TlsCertificatePath"] = "--tls-cert",
        ["Server:TlsKeyPath"] = "--tls-key",
        ["Storage:Directory"] = "--data",
        ["Storage:Database"] = "--database",
    };

    // on|off, nothing else: a typo fails the command line before anything starts.
    private static Option<string?> ContextShiftOption()
    {
        var option = new Option<string?>("--context-shift")
        {
            Description = "When a long conversation's oldest turns are left out, move the kept turns' KV cells down instead of reading them again (Model:ContextShift; default on).",
            HelpName = "on|off",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value is not ("on" or "off"))
            {
                result.AddError($"--context-shift must be on or off, not '{value}'.");
            }
        });
        return option;
    }

    /// <summary>A problem that starts with a settings key, with the key's flag after it: "Model:ContextSize (--ctx) 8 must ...".</summary>
    public static string NameFlag(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var end = problem.IndexOfAny([' ', '\'', '.']);
        var key = end > 0 ? problem[..end] : problem;
        return FlagOfKey.TryGetValue(key, out var flag) ? $"{key} ({flag}){problem[key.Length..]}" : problem;
    }

    public void AddTo(Command command)
    {
        Option[] options = [Model, Models, Pull, TlsCertificate, TlsKey, Host, Port, Data, Database, QueueDepth, ContextSize, Threads, Batch, MicroBatch, Parallel, StreamFloor, PrefillChunk, PrefillHorizon, ContextShift, StreamsPerUser, ChatTemplate, MaxBody, Timeout, AllowedHosts, Config, Set];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The keys the given flags set.</summary>
    public IReadOnlyDictionary<string, string?> Keys(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        void Put<T>(Option<T> option, string key, Func<T, string?>? format = null)
        {
            if (parse.GetResult(option) is { Implicit: false } && parse.GetValue(option) is { } value
                && (format is null ? Convert.ToString(value, CultureInfo.InvariantCulture) : format(value)) is { } text)
            {
                keys[key] = text;
            }
        }

        Put(Model, "Model:Path");
        Put(ContextSize, "Model:ContextSize");
        Put(Batch, "Model:BatchSize");
        Put(MicroBatch, "Model:MicroBatchSize");
        Put(Threads, "Model:Threads");
        Put(Parallel, "Model:ParallelSequences");
        Put(StreamFloor, "Model:StreamFloorTokensPerSecond");
        Put(PrefillChunk, "Model:PrefillChunkTokens");
        Put(PrefillHorizon, "Model:PrefillHorizonTokens");
        Put(ContextShift, "Model:ContextShift", value => value == "on" ? "true" : "false");
        Put(StreamsPerUser, "Scheduler:MaxRunningPerUser");
        Put(ChatTemplate, "Model:ChatTemplate");
        Put(QueueDepth, "Scheduler:MaxQueueDepth");
        Put(Timeout, "Scheduler:MaxGenerationTime", seconds => seconds is > 0 ? TimeSpan.FromSeconds(seconds.Value).ToString("c", CultureInfo.InvariantCulture) : null);
        Put(Host, "Server:Host");
        Put(Port, "Server:Port");
        Put(MaxBody, "Server:MaxRequestBodySize");
        Put(TlsCertificate, "Server:TlsCertificatePath");
        Put(TlsKey, "Server:TlsKeyPath");
        Put(Data, "Storage:Directory");
        Put(Database, "Storage:Database");
        if (parse.GetValue(AllowedHosts) is { } hosts)
        {
            var names = hosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < names.Length; i++)
            {
                keys[$"Server:AllowedHosts:{i}"] = names[i];
            }
        }

        return keys;
    }
}
