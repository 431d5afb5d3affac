using System.CommandLine;
using Frugal.Cli.Configuration;
using Frugal.Cli.Models;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal serve</c>: the chat server (OpenAI-compatible API, sessions, the page) on one model.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "The GGUF model file (default: the catalogue's default model in the models directory)." };
        var models = ModelPullCommand.ModelsOption();
        var pull = new Option<bool>("--pull") { Description = "Without --model: pull the default model first when it is missing." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Speak HTTPS with this PEM certificate (chain) file; needs --tls-key.", HelpName = "FILE" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE" };
        var host = new Option<string>("--host") { Description = "Address to listen on (an IP address or localhost).", DefaultValueFactory = _ => FrugalServerOptions.DefaultHost };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => FrugalServerOptions.DefaultPort };
        var data = UserCommand.DataOption();
        var queueDepth = new Option<int>("--queue-depth") { Description = "Requests that may wait for the model; one more gets 503.", DefaultValueFactory = _ => FrugalServerOptions.DefaultQueueDepth };
        var contextSize = new Option<int>("--ctx") { Description = "Context size in tokens (0: chosen for the box; env FRUGAL_CTX).", DefaultValueFactory = _ => Env("FRUGAL_CTX") };
        var threads = new Option<int>("--threads") { Description = "Inference threads (0: from the CPU quota; env FRUGAL_THREADS).", DefaultValueFactory = _ => Env("FRUGAL_THREADS") };
        var batch = new Option<int>("--batch") { Description = "Prompt tokens per decode call (0: chosen; env FRUGAL_BATCH).", DefaultValueFactory = _ => Env("FRUGAL_BATCH") };
        var microBatch = new Option<int>("--ubatch") { Description = "Micro-batch size, which sizes the compute buffer (0: chosen; env FRUGAL_UBATCH).", DefaultValueFactory = _ => Env("FRUGAL_UBATCH") };
        var parallel = new Option<int>("--parallel") { Description = "Requests decoded together in one batch, 1 turns batching off (0: measured at start within the memory plan; env FRUGAL_PARALLEL).", DefaultValueFactory = _ => Env("FRUGAL_PARALLEL") };
        var chatTemplate = InferenceOptions.ChatTemplateOption();
        var maxBody = new Option<string>("--max-body") { Description = "Largest request body, e.g. 1m or 65536.", DefaultValueFactory = _ => "1m" };
        var timeout = new Option<int>("--timeout") { Description = "Longest a generation may run, in seconds (0: the default, 5 minutes)." };
        var allowedHosts = new Option<string?>("--allowed-hosts") { Description = "Comma-separated extra Host names to answer to (besides localhost and the bound address)." };
        var config = new Option<string?>("--config") { Description = "A JSON settings file (Memory, SessionState, ResponseCache sections), read after appsettings.json beside the binary and in the working directory." };
        var set = new Option<string[]>("--set") { Description = "Override one setting, e.g. --set Memory:HighThreshold=0.85 (wins over files and FRUGAL__ environment variables).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("serve", "Run the chat server: OpenAI-compatible /v1, conversations under /api/sessions, a chat page at /.")
        {
            model, host, port, data, queueDepth, contextSize, threads, batch, microBatch, parallel, chatTemplate, maxBody, timeout, allowedHosts,
        };
        command.Options.Add(models);
        command.Options.Add(pull);
        command.Options.Add(tlsCert);
        command.Options.Add(tlsKey);
        command.Options.Add(config);
        command.Options.Add(set);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!ByteSize.TryParse(parse.GetValue(maxBody), null, out var bodyLimit))
            {
                return await UserCommand.FailAsync($"--max-body '{parse.GetValue(maxBody)}' is not a size like 1m, 512k or 65536.").ConfigureAwait(false);
            }

            if (parse.GetValue(parallel) is < 0 or > Frugal.Inference.EngineOptions.MaxParallelSequences)
            {
                return await UserCommand.FailAsync($"--parallel must be 1 to {Frugal.Inference.EngineOptions.MaxParallelSequences} (0 or unset: measured at start).").ConfigureAwait(false);
            }

            if (parse.GetValue(model) is not null && (parse.GetValue(models) is not null || parse.GetValue(pull)))
            {
                return await UserCommand.FailAsync("--models and --pull choose the default model; they do not go with --model FILE.").ConfigureAwait(false);
            }

            string modelPath;
            try
            {
                modelPath = await ServeModel.ResolveAsync(parse.GetValue(model), parse.GetValue(models), parse.GetValue(data)!, parse.GetValue(pull), cancellationToken).ConfigureAwait(false);
            }
            catch (PullException e)
            {
                return await UserCommand.FailAsync(e.Message).ConfigureAwait(false);
            }

            var options = new FrugalServerOptions
            {
                ModelPath = modelPath,
                TlsCertificatePath = parse.GetValue(tlsCert),
                TlsKeyPath = parse.GetValue(tlsKey),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                DataDirectory = parse.GetValue(data)!,
                QueueDepth = parse.GetValue(queueDepth),
                ContextSize = Positive(parse.GetValue(contextSize)),
                Threads = Positive(parse.GetValue(threads)),
                BatchSize = Positive(parse.GetValue(batch)),
                MicroBatchSize = Positive(parse.GetValue(microBatch)),
                ParallelSequences = Positive(parse.GetValue(parallel)),
                ChatTemplate = InferenceOptions.ParseChatTemplate(parse.GetValue(chatTemplate)),
                MaxRequestBodyBytes = bodyLimit.Bytes,
                RequestTimeout = parse.GetValue(timeout) is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
            };
            foreach (var name in (parse.GetValue(allowedHosts) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                options.AllowedHosts.Add(name);
            }

            // Memory, session-state and cache settings: files, then FRUGAL__ environment, then --set; checked before anything starts.
            var problems = ServeConfiguration.Apply(options, parse.GetValue(config), parse.GetValue(set) ?? [], out var sources);
            if (problems.Count > 0)
            {
                return await UserCommand.FailAsync(string.Join(Environment.NewLine + "frugal: ", problems)).ConfigureAwait(false);
            }

            if (sources.Count > 0)
            {
                await Console.Out.WriteLineAsync($"Settings read from: {string.Join(", ", sources)}").ConfigureAwait(false);
            }

            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    // Fills what the operator left open (context, batch, micro-batch, threads, how many sequences the engine may try) from the model's shape,
    // the CPU quota and the memory limit, prints each choice with its reason, and refuses a model that
    // cannot fit in the box before anything is loaded.
    private static bool TryConfigureForBox(FrugalServerOptions options, out string refusal)
    {
        ModelInfo model;
        try
        {
            model = ModelInfoReader.Read(options.ModelPath);
        }
        catch (ModelFileException e)
        {
            refusal = e.Message;
            return false;
        }

        var choice = AutoConfigurator.Choose(model, new CpuProbe().Read(), new MemoryProbe().Read(), new BoxSettings
        {
            ContextSize = options.ContextSize,
            BatchSize = options.BatchSize,
            MicroBatchSize = options.MicroBatchSize,
            Threads = options.Threads,
            ParallelSequences = options.ParallelSequences,
        });
        if (!choice.Fits)
        {
            refusal = choice.Refusal ?? "the model does not fit in this box's memory.";
            return false;
        }

        options.ContextSize = choice.ContextSize;
        options.BatchSize = choice.BatchSize;
        options.MicroBatchSize = choice.MicroBatchSize;
        options.Threads = choice.Threads;
        options.ParallelSequences = options.ParallelSequences is null ? null : choice.ParallelSequences;
        options.MaxAutoParallelSequences = choice.MaxAutoParallelSequences;
        Console.Out.WriteLine("Settings for this box:");
        foreach (var reason in choice.Reasons)
        {
            Console.Out.WriteLine($"  {reason}");
        }

        refusal = "";
        return true;
    }

    private static int? Positive(int value) => value > 0 ? value : null;

    private static int Env(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static async Task<int> RunAsync(FrugalServerOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.ModelPath))
        {
            return await UserCommand.FailAsync($"{options.ModelPath}: no such model file.").ConfigureAwait(false);
        }

        if (!TryConfigureForBox(options, out var refusal))
        {
            return await UserCommand.FailAsync(refusal).ConfigureAwait(false);
        }

        WebApplication app;
        try
        {
            app = FrugalServer.Build(options);
        }
        catch (ServerStartException e)
        {
            return await UserCommand.FailAsync(e.Message).ConfigureAwait(false);
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                return await UserCommand.FailAsync($"cannot listen on {options.Host}:{options.Port}: {e.Message}").ConfigureAwait(false);
            }

            if (!options.IsLoopback && !options.UsesTls)
            {
                await Console.Error.WriteLineAsync(
                    $"frugal: warning: listening on {options.Host} without TLS: API keys and conversations cross the network in clear text. " +
                    "Put a TLS proxy in front (deploy/Caddyfile) or give --tls-cert FILE --tls-key FILE.").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync($"Frugal is listening on {app.GetBaseAddress()} (the model loads in the background; GET /ready says when it is ready).").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
