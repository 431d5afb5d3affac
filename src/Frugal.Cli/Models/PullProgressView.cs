using System.Globalization;
using Spectre.Console;

namespace Frugal.Cli.Models;

/// <summary>
/// Shows a download: a Spectre.Console progress bar with speed and time left on a terminal, plain lines
/// (every 10 %, and every event) when the output is redirected.
/// </summary>
internal static class PullProgressView
{
    public static async Task<PullResult> RunAsync(
        string label, Func<IProgress<DownloadProgress>, Task<PullResult>> pull, TextWriter output, bool interactive)
    {
        if (!interactive)
        {
            var plain = new PlainProgress(label, output);
            return await pull(plain).ConfigureAwait(false);
        }

        PullResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(label, autoStart: true, maxValue: 1);
                task.IsIndeterminate = true;
                result = await pull(new Progress<DownloadProgress>(p =>
                {
                    if (p.Event is { } message)
                    {
                        AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]");
                    }

                    if (p.Total is { } total && total > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                    }

                    task.Value = p.Bytes;
                })).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result!;
    }

    // Synchronous on purpose: lines come out in order, at the thread that downloads.
    private sealed class PlainProgress(string label, TextWriter output) : IProgress<DownloadProgress>
    {
        private int _lastTenth = -1;

        public void Report(DownloadProgress value)
        {
            if (value.Event is { } message)
            {
                output.WriteLine($"{label}: {message}");
            }

            if (value.Total is not { } total || total <= 0)
            {
                return;
            }

            var tenth = (int)(value.Bytes * 10 / total);
            if (tenth != _lastTenth)
            {
                _lastTenth = tenth;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: {tenth * 10,3} % ({value.Bytes / 1048576.0:N1} of {total / 1048576.0:N1} MiB)"));
            }
        }
    }
}
