using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Frugal.Bench.Capacity;

/// <summary>The capacity report as Markdown (for bench/RESULTS.md) and as one JSON object.</summary>
public static class CapacityReportText
{
    /// <summary>Markdown: the run, each policy's settings and single-user figures, and one table of user counts.</summary>
    public static string Markdown(CapacityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"Capacity, {report.Date:yyyy-MM-dd HH:mm} UTC, {report.Model}; {report.Machine}");
        Line($"");
        var pace = o.Compression != 1
            ? F($" (time-compressed {o.Compression:0.##}x: one simulated user is the load of {o.Compression:0.##} real users sending a message a minute)")
            : " (real time: a message a minute)";
        Line($"Users: a {o.MessageTokens}-token message after exponential gaps of mean {o.RunMeanGap.TotalSeconds:0.#} s, {o.ReplyTokens}-token replies, sessions of their own, {o.RunWindow.TotalMinutes:0.##} min per count{pace}.");
        Line($"");
        foreach (var policy in report.Policies)
        {
            Line($"- **{policy.Policy}**: {policy.Settings}. One user alone: time to first token {policy.AloneTtftSeconds:F2} s, decode {policy.AloneDecodeTokensPerSecond:F1} tok/s.");
        }

        if (report.Policies.Count == 2)
        {
            var rounds = report.AloneTtftRatios.Count > 0
                ? F($" (median of {report.AloneTtftRatios.Count} alternating rounds: {string.Join(", ", report.AloneTtftRatios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}; decode {string.Join(", ", report.AloneDecodeRatios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))})")
                : string.Empty;
            Line($"- One user alone, {report.Policies[0].Policy} / {report.Policies[1].Policy}: time to first token {report.AloneTtftRatio:F3}x as fast, decode {report.AloneDecodeRatio:F3}x{rounds}.");
        }

        Line($"");
        Line($"| policy | users | real-time users | turns | refused | TTFT p50 | TTFT p95 | TTFT max | rate p5 | rate p50 | streaming at once | least stream limit | queue wait p95 | target |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var policy in report.Policies)
        {
            foreach (var p in policy.Points)
            {
                Line($"| {policy.Policy} | {p.Users} | {p.EquivalentUsers:0.#} | {p.Turns} | {p.Refused} | {p.TtftP50Seconds:F2} s | {p.TtftP95Seconds:F2} s | {p.TtftMaxSeconds:F2} s | {p.RateP5:F1} | {p.RateP50:F1} | {p.PeakStreams} | {p.LeastStreamLimit} | {p.QueueP95Seconds:F2} s | {(p.MeetsTarget ? "met" : "-")} |");
            }
        }

        Line($"");
        foreach (var policy in report.Policies)
        {
            var real = o.Compression != 1 ? F($" ≈ {o.EquivalentUsers(policy.UsersPerBox):0.#} real-time users") : string.Empty;
            Line($"users_per_box ({policy.Policy}): {policy.UsersPerBox} simulated users{real} (p95 time to first token ≤ {CapacityOptions.TtftTarget.TotalSeconds:0} s and p5 stream rate ≥ {CapacityOptions.RateTarget:0} tok/s, none refused)");
        }

        return text.ToString();
    }

    /// <summary>One JSON object with every figure.</summary>
    public static string Json(CapacityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var o = report.Options;
            json.WriteStartObject();
            json.WriteString("date", report.Date);
            json.WriteString("machine", report.Machine);
            json.WriteString("model", report.Model);
            json.WriteNumber("compression", o.Compression);
            json.WriteNumber("window_seconds", o.RunWindow.TotalSeconds);
            json.WriteNumber("mean_gap_seconds", o.RunMeanGap.TotalSeconds);
            json.WriteNumber("message_tokens", o.MessageTokens);
            json.WriteNumber("reply_tokens", o.ReplyTokens);
            json.WriteNumber("alone_ttft_ratio", Math.Round(report.AloneTtftRatio, 3));
            json.WriteNumber("alone_decode_ratio", Math.Round(report.AloneDecodeRatio, 3));
            json.WriteStartArray("alone_ttft_ratios");
            foreach (var r in report.AloneTtftRatios)
            {
                json.WriteNumberValue(Math.Round(r, 3));
            }

            json.WriteEndArray();
            json.WriteStartArray("alone_decode_ratios");
            foreach (var r in report.AloneDecodeRatios)
            {
                json.WriteNumberValue(Math.Round(r, 3));
            }

            json.WriteEndArray();
            json.WriteStartArray("policies");
            foreach (var policy in report.Policies)
            {
                json.WriteStartObject();
                json.WriteString("policy", policy.Policy);
                json.WriteString("settings", policy.Settings);
                json.WriteNumber("alone_ttft_seconds", Math.Round(policy.AloneTtftSeconds, 3));
                json.WriteNumber("alone_decode_tokens_per_second", Math.Round(policy.AloneDecodeTokensPerSecond, 2));
                json.WriteNumber("users_per_box", policy.UsersPerBox);
                json.WriteNumber("users_per_box_real_time", o.EquivalentUsers(policy.UsersPerBox));
                json.WriteStartArray("points");
                foreach (var p in policy.Points)
                {
                    json.WriteStartObject();
                    json.WriteNumber("users", p.Users);
                    json.WriteNumber("real_time_users", p.EquivalentUsers);
                    json.WriteNumber("turns", p.Turns);
                    json.WriteNumber("refused", p.Refused);
                    json.WriteNumber("ttft_p50_seconds", Math.Round(p.TtftP50Seconds, 3));
                    json.WriteNumber("ttft_p95_seconds", Math.Round(p.TtftP95Seconds, 3));
                    json.WriteNumber("ttft_max_seconds", Math.Round(p.TtftMaxSeconds, 3));
                    json.WriteNumber("rate_p5", Math.Round(p.RateP5, 2));
                    json.WriteNumber("rate_p50", Math.Round(p.RateP50, 2));
                    json.WriteNumber("peak_streams", p.PeakStreams);
                    json.WriteNumber("least_stream_limit", p.LeastStreamLimit);
                    json.WriteNumber("queue_wait_p95_seconds", Math.Round(p.QueueP95Seconds, 3));
                    json.WriteBoolean("meets_target", p.MeetsTarget);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
