using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Frugal.Cli.Monitor;

/// <summary>Renders the latest sample and a small history of the pressure share as a Spectre.Console panel.</summary>
internal sealed class MonitorView
{
    private const int HistoryLength = 60;
    private const string Bars = "▁▂▃▄▅▆▇█";
    private readonly Queue<double> _history = new();

    public IRenderable Render(MonitorSample sample)
    {
        if (sample.PressureRatio is { } ratio)
        {
            _history.Enqueue(ratio);
            while (_history.Count > HistoryLength)
            {
                _history.Dequeue();
            }
        }

        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn("value");
        var level = sample.MemoryPressure ?? "n/a";
        table.AddRow("memory pressure", $"[{Colour(level)}]{Markup.Escape(level)}[/]" + (sample.EmergencyMode == true ? " [red bold]EMERGENCY[/]" : string.Empty));
        table.AddRow("resident / limit", Bar(sample.ResidentBytes ?? sample.UsedBytes, sample.LimitBytes));
        table.AddRow("used (with page cache)", $"{MiB(sample.UsedBytes)} MiB");
        table.AddRow("process RSS anon / file", $"{MiB(sample.ProcessRssAnonymousBytes)} / {MiB(sample.ProcessRssFileBytes)} MiB (total {MiB(sample.ProcessRssBytes)})");
        table.AddRow("queue / active", $"{Show(sample.QueueDepth)} / {Show(sample.ActiveGenerations)}");
        table.AddRow("tokens/s prompt / decode", $"{Show(sample.PromptTokensPerSecond)} / {Show(sample.DecodeTokensPerSecond)}");
        table.AddRow("restrictions", sample.Restrictions.Count == 0 ? "none" : Markup.Escape(string.Join(", ", sample.Restrictions)));
        table.AddRow("pressure history", $"[grey]{Sparkline()}[/]");
        return new Panel(table).Header($"frugal monitor - {Markup.Escape(sample.Source)} - {sample.Timestamp:HH:mm:ss}");
    }

    private string Sparkline()
    {
        var chars = _history.Select(r => Bars[Math.Clamp((int)(r * Bars.Length), 0, Bars.Length - 1)]);
        return new string([.. chars]);
    }

    private static string Bar(long? used, long? limit)
    {
        if (used is null || limit is not > 0)
        {
            return "n/a";
        }

        var share = Math.Clamp((double)used.Value / limit.Value, 0, 1);
        const int width = 30;
        var filled = (int)Math.Round(share * width);
        var colour = share >= 0.95 ? "red" : share >= 0.9 ? "orange1" : share >= 0.75 ? "yellow" : "green";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{colour}]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {MiB(used)} / {MiB(limit)} MiB ({share:P0})");
    }

    private static string Colour(string level) => level switch
    {
        "critical" => "red bold",
        "high" => "orange1",
        "medium" => "yellow",
        "low" => "green",
        _ => "grey",
    };

    private static string MiB(long? bytes) => bytes is { } b ? (b / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) : "n/a";

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "n/a";

    private static string Show(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "n/a";
}
