using System.CommandLine;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal serve</c>: the chat server (OpenAI-compatible API, sessions, the page) on one model.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The GGUF model file.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to listen on (an IP address or localhost).", DefaultValueFactory = _ => FrugalServerOptions.DefaultHost };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => FrugalServerOptions.DefaultPort };
        var data = UserCommand.DataOption();
        var queueDepth = new Option<int>("--queue-depth") { Description = "Requests that may wait for the model; one more gets 503.", DefaultValueFactory = _ => FrugalServerOptions.DefaultQueueDepth };
        var contextSize = new Option<int>("--ctx") { Description = "Context size in tokens (0: the model's, capped at 4096).", DefaultValueFactory = _ => 0 };
        var maxBody = new Option<string>("--max-body") { Description = "Largest request body, e.g. 1m or 65536.", DefaultValueFactory = _ => "1m" };
        var timeout = new Option<int>("--timeout") { Description = "Longest a generation may run, in seconds (0: the default, 5 minutes)." };
        var allowedHosts = new Option<string?>("--allowed-hosts") { Description = "Comma-separated extra Host names to answer to (besides localhost and the bound address)." };
        var command = new Command("serve", "Run the chat server: OpenAI-compatible /v1, conversations under /api/sessions, a chat page at /.")
        {
            model, host, port, data, queueDepth, contextSize, maxBody, timeout, allowedHosts,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!ByteSize.TryParse(parse.GetValue(maxBody), null, out var bodyLimit))
            {
                return await UserCommand.FailAsync($"--max-body '{parse.GetValue(maxBody)}' is not a size like 1m, 512k or 65536.").ConfigureAwait(false);
            }

            var options = new FrugalServerOptions
            {
                ModelPath = parse.GetValue(model)!,
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                DataDirectory = parse.GetValue(data)!,
                QueueDepth = parse.GetValue(queueDepth),
                ContextSize = parse.GetValue(contextSize) is > 0 and var ctx ? ctx : null,
                MaxRequestBodyBytes = bodyLimit.Bytes,
                RequestTimeout = parse.GetValue(timeout) is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
            };
            foreach (var name in (parse.GetValue(allowedHosts) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                options.AllowedHosts.Add(name);
            }

            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(FrugalServerOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.ModelPath))
        {
            return await UserCommand.FailAsync($"{options.ModelPath}: no such model file.").ConfigureAwait(false);
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

            await Console.Out.WriteLineAsync($"Frugal is listening on {app.GetBaseAddress()} (the model loads in the background; GET /ready says when it is ready).").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
