using System.CommandLine;
using Frugal.Cli.Monitor;
using Frugal.Memory;
using Spectre.Console;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal monitor</c>: a live view of a server's /status (or of this machine), or one JSON sample.</summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "The server to watch, e.g. http://127.0.0.1:8080 (default when --local is not given)." };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = $"A file whose first line is an API key for the server's /status (or set {MonitorKey.EnvironmentVariable}; a key is never taken on the command line, where the process list shows it).",
        };
        var local = new Option<bool>("--local") { Description = "Watch this machine's memory instead of a server." };
        var once = new Option<bool>("--once") { Description = "Take one sample and exit." };
        var json = new Option<bool>("--json") { Description = "Print samples as JSON (one object per line)." };
        var command = new Command("monitor", "Watch memory pressure, usage, queue and speed of a server or this machine, refreshed each second.")
        {
            url, keyFile, local, once, json,
        };
        command.SetAction((parse, cancellationToken) => WatchAsync(parse.GetValue(url), parse.GetValue(keyFile), parse.GetValue(local), parse.GetValue(once),
            parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> WatchAsync(string? url, string? keyFile, bool local, bool once, bool json, CancellationToken cancellationToken)
    {
        if (local && url is not null)
        {
            await Console.Error.WriteLineAsync("frugal monitor: give either --url or --local, not both.").ConfigureAwait(false);
            return 2;
        }

        if (!Uri.TryCreate(url ?? "http://127.0.0.1:8080", UriKind.Absolute, out var target)
            || target.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync("frugal monitor: --url must be absolute, e.g. http://127.0.0.1:8080").ConfigureAwait(false);
            return 2;
        }

        string? apiKey;
        try
        {
            apiKey = MonitorKey.Read(keyFile, Environment.GetEnvironmentVariable(MonitorKey.EnvironmentVariable));
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"frugal monitor: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var sampler = new LocalSampler(new MemoryProbe());
        var client = new StatusClient(http, target, apiKey);
        Func<CancellationToken, Task<MonitorSample>> sample = local
            ? _ => Task.FromResult(sampler.Sample())
            : client.SampleAsync;
        return await RunReportingAsync(sample, target, once, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the view; a server that cannot be reached or answers something else is one line on stderr and exit 1.</summary>
    private static async Task<int> RunReportingAsync(Func<CancellationToken, Task<MonitorSample>> sample, Uri target, bool once, bool json,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(sample, once, json, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"frugal monitor: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (System.Text.Json.JsonException e)
        {
            await Console.Error.WriteLineAsync($"frugal monitor: {target} answered /status with something that is not a Frugal status ({e.Message}).").ConfigureAwait(false);
            return 1;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"frugal monitor: {target} did not answer within 5 s.").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunAsync(Func<CancellationToken, Task<MonitorSample>> sample, bool once, bool json, CancellationToken cancellationToken)
    {
        using var stdout = Console.OpenStandardOutput();
        if (json)
        {
            do
            {
                MonitorSampleJson.Write(await sample(cancellationToken).ConfigureAwait(false), stdout);
            }
            while (!once && await DelayAsync(cancellationToken).ConfigureAwait(false));
            return 0;
        }

        var view = new MonitorView();
        if (once)
        {
            AnsiConsole.Write(view.Render(await sample(cancellationToken).ConfigureAwait(false)));
            return 0;
        }

        var first = await sample(cancellationToken).ConfigureAwait(false);
        await AnsiConsole.Live(view.Render(first)).StartAsync(async context =>
        {
            while (await DelayAsync(cancellationToken).ConfigureAwait(false))
            {
                context.UpdateTarget(view.Render(await sample(cancellationToken).ConfigureAwait(false)));
            }
        }).ConfigureAwait(false);
        return 0;
    }

    // Waits a second; false once Ctrl+C asked to stop.
    private static async Task<bool> DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
