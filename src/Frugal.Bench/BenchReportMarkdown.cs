using System.Globalization;
using System.Text;

namespace Frugal.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as a Markdown section for <c>bench/RESULTS.md</c>.</summary>
public static class BenchReportMarkdown
{
    /// <summary>The report as Markdown: setup, figures with ratios to plain LLamaSharp, per-turn TTFT, targets.</summary>
    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        Setup(md, report);
        Speeds(md, report);
        TimeToFirstToken(md, report);
        Throughput(md, report);
        if (report.LongChat is { } longChat)
        {
            LongChat(md, longChat, report.Options);
        }

        MemoryAndTargets(md, report);
        return md.ToString();
    }

    // What ran where: the date, machine, box, model and profile.
    private static void Setup(StringBuilder md, BenchReport report)
    {
        Line(md, $"### frugal bench, {report.Date:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        Line(md, $"- Machine: {report.Machine}");
        Line(md, $"- Box: {(report.Box is { } box ? $"measured inside a cgroup of {box.Cpus} CPU and {new ByteSize(box.MemoryBytes)} memory, no swap (cgroup {box.CgroupVersion})" : "none (unboxed)")}");
        Line(md, $"- Model: {report.ModelDescription}; context {report.ContextSize}; {report.Threads} thread(s); concurrent clients through the {report.ClientPath}");
        var o = report.Options;
        var chats = o.Chats
            ? $"chats of {o.Turns} turns ({o.ChatRounds} round(s) each, per-turn medians), {o.UserTokensPerTurn} user + {o.ReplyTokensPerTurn} reply tokens a turn"
            : "no chats";
        var clients = o.ClientCounts.Count > 0 ? $"{o.ClientTokens} tokens per concurrent client" : "no concurrent clients";
        var longChat = o.LongChatTurns > 0 ? $"; long chat: one session of {o.LongChatTurns} turns, {o.InterleavedSessions} interleaving {o.LongChatInterleavedTurns} turns each" : "";
        Line(md, $"- Profile: prompt {o.PromptTokens} tokens, decode {o.DecodeTokens} tokens, {o.Rounds} round(s) alternating with the baseline; {chats}; {clients}{longChat}");
        md.AppendLine();
    }

    // Load, prompt and decode against plain LLamaSharp, and decoding under a grammar.
    private static void Speeds(StringBuilder md, BenchReport report)
    {
        md.AppendLine("| | Frugal | plain LLamaSharp | ratio (median of the rounds' ratios) |");
        md.AppendLine("|---|---:|---:|---:|");
        Line(md, $"| load (ms) | {report.LoadMs:F0} | {report.Baseline.LoadMs:F0} | {report.LoadMs / report.Baseline.LoadMs:F2}x |");
        Line(md, $"| prompt (tokens/s) | {report.PromptTokensPerSecond:F1} | {report.Baseline.PromptTokensPerSecond:F1} | {report.Baseline.PromptRatio:F3}x |");
        Line(md, $"| decode (tokens/s) | {report.DecodeTokensPerSecond:F1} | {report.Baseline.DecodeTokensPerSecond:F1} | {report.Baseline.DecodeRatio:F3}x |");
        md.AppendLine();
        if (report.Grammar is { } grammar)
        {
            Line(md, $"Decode under a JSON-schema grammar (greedy): {grammar.ConstrainedTokensPerSecond:F1} tokens/s against {grammar.FreeTokensPerSecond:F1} free, {grammar.Ratio:F3}x (median of the rounds' ratios).");
            md.AppendLine();
        }
    }

    // Per turn, one session alone and several interleaved; then one chat turn by turn beside plain LLamaSharp.
    private static void TimeToFirstToken(StringBuilder md, BenchReport report)
    {
        if (report.TtftSingleMs.Count == 0 && report.TtftInterleavedMs.Count == 0)
        {
            return;
        }

        md.AppendLine("Time to first token per turn, ms (prompt tokens kept from the session's KV state in brackets):");
        md.AppendLine();
        var turns = report.TtftSingleMs.Count;
        md.Append("| session |").AppendJoin("", Enumerable.Range(1, turns).Select(t => $" {t} |")).AppendLine();
        md.Append("|---|").AppendJoin("", Enumerable.Repeat("---:|", turns)).AppendLine();
        Row(md, "alone", report.TtftSingleMs, report.CachedTokensSingle);
        for (var i = 0; i < report.TtftInterleavedMs.Count; i++)
        {
            Row(md, $"interleaved {(char)('A' + i)}", report.TtftInterleavedMs[i], report.CachedTokensInterleaved[i]);
        }

        if (report.Baseline.FollowUps is { FrugalMs.Count: >= 2 } paired)
        {
            md.AppendLine();
            md.AppendLine("One more chat alone, each turn followed at once by plain LLamaSharp reusing its own cache for the same new tokens after the same kept ones (ms):");
            md.AppendLine();
            md.Append("| |").AppendJoin("", Enumerable.Range(1, paired.FrugalMs.Count).Select(t => $" {t} |")).AppendLine(" last / first |");
            md.Append("|---|").AppendJoin("", Enumerable.Repeat("---:|", paired.FrugalMs.Count + 1)).AppendLine();
            md.Append("| Frugal |").AppendJoin("", paired.FrugalMs.Select(v => string.Create(CultureInfo.InvariantCulture, $" {v:F0} |"))).AppendLine(string.Create(CultureInfo.InvariantCulture, $" {paired.FrugalGrowth:F2}x |"));
            md.Append("| plain LLamaSharp |").AppendJoin("", paired.PlainMs.Select(v => string.Create(CultureInfo.InvariantCulture, $" {v:F0} |"))).AppendLine(string.Create(CultureInfo.InvariantCulture, $" {paired.PlainGrowth:F2}x |"));
            md.AppendLine();
            Line(md, $"Frugal / plain LLamaSharp per turn: median {paired.MedianOverhead:F2}x (from {paired.Overheads[0]:F2}x to {paired.Overheads[^1]:F2}x). Plain LLamaSharp's own last / first is the floor of the time-to-first-token ratio: what grows is attention over the longer cache, which no reuse removes.");
        }
    }

    // Decode rates of concurrent clients and of sequences in one batch, and the memory bandwidth's ceiling.
    private static void Throughput(StringBuilder md, BenchReport report)
    {
        md.AppendLine();
        if (report.AggregateDecodeTokensPerSecond.Count > 0)
        {
            md.Append("Aggregate decode tokens/s by concurrent clients: ")
                .AppendJoin(", ", report.AggregateDecodeTokensPerSecond.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value:F1}")))
                .AppendLine();
            md.AppendLine();
        }

        if (report.BatchedDecodeTokensPerSecond.Count > 0)
        {
            md.Append("Aggregate decode tokens/s of N sequences in one llama_batch (plain LLamaSharp, the ceiling of continuous batching): ")
                .AppendJoin(", ", report.BatchedDecodeTokensPerSecond.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value:F1}")))
                .AppendLine();
            md.AppendLine();
        }
        if (report.WeightPages is { } pages)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Weights at the load: {pages.Describe()}.");
            md.AppendLine();
        }

        if (report.RepackedPages is { RepackedBytes: > 0 } released)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"After the load: {released.Describe()}.");
            md.AppendLine();
        }

        if (report.Ceiling is { } rounds)
        {
            var ceiling = rounds.Typical;
            Line(md, $"Bandwidth ceiling (measured at the start of each speed round; the median round): one core reads {ceiling.Reads.Describe()} at {ceiling.ReadBytesPerSecond / 1e9:F2} GB/s and a decoded token reads {ceiling.BytesPerToken / 1048576.0:F0} MiB of weights: at most {ceiling.TokensPerSecond:F1} tokens/s; Frugal's decode reaches {rounds.DecodeFraction:F2} of its round's ceiling (median of {string.Join(", ", rounds.Rounds.Select(r => r.DecodeFraction.ToString("F2", CultureInfo.InvariantCulture)))}).");
            if (double.IsFinite(ceiling.ReadBytesPerCpuSecond) && double.IsFinite(report.Baseline.DecodeTokensPerCpuSecond))
            {
                Line(md, $"Per CPU second of the one reading or decoding thread (what the core does while it runs, whatever else the machine runs): {ceiling.ReadBytesPerCpuSecond / 1e9:F2} GB/s (the fastest read pattern: {ceiling.FastestPattern}), at most {ceiling.CpuTokensPerSecond:F1} tokens/s; plain LLamaSharp decodes {report.Baseline.DecodeTokensPerCpuSecond:F1}, {rounds.BaselineCpuFraction:F2} of its round's (median).");
            }

            md.AppendLine();
        }
    }

    private static void MemoryAndTargets(StringBuilder md, BenchReport report)
    {
        Line(md, $"Peak memory ({report.PeakMemorySource}): {report.PeakMemoryBytes / 1048576.0:F0} MiB; anonymous {report.PeakAnonymousBytes / 1048576.0:F0} MiB; file-backed {report.PeakFileBytes / 1048576.0:F0} MiB.");
        md.AppendLine();
        md.AppendLine("| target | measured | goal | met |");
        md.AppendLine("|---|---:|---:|:---:|");
        foreach (var target in BenchTarget.Evaluate(report))
        {
            Line(md, $"| {target.Name} | {target.Measured} | {target.Goal} | {(target.Met ? "yes" : "no")} |");
        }
    }

    private static void Line(StringBuilder md, FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

    // Per turn: time to first token (ms) and tokens evaluated; a turn whose context was shifted is marked "s".
    private static void LongChat(StringBuilder md, LongChatFigures figures, BenchOptions o)
    {
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Long chat (history window of the sessions API, {o.UserTokensPerTurn} user + {o.ReplyTokensPerTurn} reply tokens a turn): time to first token in ms, tokens evaluated in brackets, s = context shifted, | = the turn the context first filled on."));
        md.AppendLine();
        foreach (var (name, sessions) in new[] { ("alone", figures.Single), ("interleaved", figures.Interleaved) })
        {
            for (var i = 0; i < sessions.Count; i++)
            {
                var session = sessions[i];
                md.Append(CultureInfo.InvariantCulture, $"- {name}{(sessions.Count > 1 ? $" {(char)('A' + i)}" : "")}, filled at turn {session.FirstFullTurn}: ");
                md.AppendJoin(" ", session.TtftMs.Select((t, turn) => string.Create(CultureInfo.InvariantCulture,
                    $"{(turn + 1 == session.FirstFullTurn ? "| " : "")}{t:F0}({session.EvaluatedTokens[turn]}{(session.ShiftedOutTokens[turn] > 0 ? "s" : "")})")));
                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"long_chat.after_full_over_before: {figures.SingleRatio:F2} alone, {figures.InterleavedRatio:F2} interleaved."));
        md.AppendLine();
    }

    private static void Row(StringBuilder md, string name, IReadOnlyList<double> ttft, IReadOnlyList<int> cached)
    {
        md.Append("| ").Append(name).Append(" |");
        for (var i = 0; i < ttft.Count; i++)
        {
            md.Append(CultureInfo.InvariantCulture, $" {ttft[i]:F0} ({cached[i]}) |");
        }

        md.AppendLine();
    }
}
