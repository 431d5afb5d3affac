using System.Globalization;
using System.Text.Json;

namespace Frugal.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as one JSON object (snake_case names, issue 5 §4's shape).</summary>
public static class BenchReportJson
{
    /// <summary>The report as indented JSON.</summary>
    public static string Write(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            WriteRun(json, report);
            WriteSpeeds(json, report);
            WriteSessions(json, report);
            WriteMemory(json, report);
            WriteLongChat(json, report.LongChat);
            WriteBox(json, report.Box);
            WriteTargets(json, report);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    // What ran where: the machine, the model, the engine's settings and the profile.
    private static void WriteRun(Utf8JsonWriter json, BenchReport report)
    {
        json.WriteString("date", report.Date);
        json.WriteString("machine", report.Machine);
        json.WriteString("model", report.ModelDescription);
        json.WriteString("model_path", report.ModelPath);
        json.WriteNumber("context_size", report.ContextSize);
        json.WriteNumber("threads", report.Threads);
        json.WriteString("client_path", report.ClientPath);
        var profile = report.Options;
        json.WriteStartObject("profile");
        json.WriteNumber("prompt_tokens", profile.PromptTokens);
        json.WriteNumber("decode_tokens", profile.DecodeTokens);
        json.WriteNumber("rounds", profile.Rounds);
        json.WriteNumber("chat_rounds", profile.ChatRounds);
        json.WriteNumber("turns", profile.Turns);
        json.WriteNumber("user_tokens_per_turn", profile.UserTokensPerTurn);
        json.WriteNumber("reply_tokens_per_turn", profile.ReplyTokensPerTurn);
        json.WriteNumber("client_tokens", profile.ClientTokens);
        json.WriteEndObject();
    }

    // Load, prompt and decode speed, plain LLamaSharp's beside them, their ratios, and the grammar's cost.
    private static void WriteSpeeds(Utf8JsonWriter json, BenchReport report)
    {
        json.WriteNumber("load_ms", Round(report.LoadMs));
        json.WriteNumber("prompt_tokens_per_second", Round(report.PromptTokensPerSecond));
        json.WriteNumber("decode_tokens_per_second", Round(report.DecodeTokensPerSecond));
        json.WriteStartObject("baseline");
        json.WriteNumber("load_ms", Round(report.Baseline.LoadMs));
        json.WriteNumber("prompt_tokens_per_second", Round(report.Baseline.PromptTokensPerSecond));
        json.WriteNumber("decode_tokens_per_second", Round(report.Baseline.DecodeTokensPerSecond));
        if (report.Baseline.FollowUps is { } followUps)
        {
            // One chat alone, turn by turn: Frugal's time to first token, then plain LLamaSharp's for the same work.
            json.WriteStartObject("follow_up_ms");
            WriteArray(json, "frugal", followUps.FrugalMs.Select(v => Round(v)));
            WriteArray(json, "plain", followUps.PlainMs.Select(v => Round(v)));
            json.WriteNumber("median_ratio", Round(followUps.MedianOverhead, 3));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartObject("ratios");
        json.WriteNumber("prompt", Round(report.Baseline.PromptRatio, 3));
        json.WriteNumber("decode", Round(report.Baseline.DecodeRatio, 3));
        json.WriteEndObject();
        if (report.Grammar is { } grammar)
        {
            json.WriteStartObject("json_schema_grammar");
            json.WriteNumber("free_decode_tokens_per_second", Round(grammar.FreeTokensPerSecond));
            json.WriteNumber("constrained_decode_tokens_per_second", Round(grammar.ConstrainedTokensPerSecond));
            json.WriteNumber("ratio", Round(grammar.Ratio, 3));
            json.WriteEndObject();
        }
    }

    // The chats: time to first token and prompt tokens kept, one session alone and several interleaved; then the
    // decode rate of several clients at once and of several sequences in one batch.
    private static void WriteSessions(Utf8JsonWriter json, BenchReport report)
    {
        json.WriteStartObject("ttft_ms");
        WriteArray(json, "single", report.TtftSingleMs.Select(v => Round(v)));
        WriteArrays(json, "interleaved", report.TtftInterleavedMs.Select(session => session.Select(v => Round(v))));
        json.WriteEndObject();
        json.WriteStartObject("cached_prompt_tokens");
        WriteArray(json, "single", report.CachedTokensSingle.Select(v => (double)v));
        WriteArrays(json, "interleaved", report.CachedTokensInterleaved.Select(session => session.Select(v => (double)v)));
        json.WriteEndObject();
        WriteRates(json, "aggregate_decode_tokens_per_second", report.AggregateDecodeTokensPerSecond);
        WriteRates(json, "batched_decode_tokens_per_second", report.BatchedDecodeTokensPerSecond);
    }

    // The peak memory and, when measured, the decode rate the memory bandwidth allows.
    private static void WriteMemory(Utf8JsonWriter json, BenchReport report)
    {
        json.WriteNumber("peak_memory_bytes", report.PeakMemoryBytes);
        json.WriteNumber("peak_anonymous_bytes", report.PeakAnonymousBytes);
        json.WriteNumber("peak_file_bytes", report.PeakFileBytes);
        json.WriteString("peak_memory_source", report.PeakMemorySource);
        if (report.WeightPages is { } pages)
        {
            // The model file's pages at the load: how much of it the page cache held in 2 MiB pages, before and after.
            json.WriteStartObject("weight_pages");
            json.WriteString("outcome", pages.Outcome.ToString());
            json.WriteNumber("file_bytes", pages.FileBytes);
            json.WriteNumber("huge_bytes_before", pages.HugeBytesBefore);
            json.WriteNumber("huge_bytes", pages.HugeBytes);
            json.WriteNumber("reread_bytes", pages.RereadBytes);
            json.WriteNumber("reread_seconds", Round(pages.Reread.TotalSeconds, 3));
            json.WriteNumber("mapped_resident_bytes", pages.MappedResidentBytes);
            json.WriteNumber("mapped_huge_bytes", pages.MappedHugeBytes);
            if (pages.RepackedHugeBytes is { } repacked)
            {
                // llama.cpp's repacked copy of the weights in 2 MiB pages (Frugal's CPU backend asks for them).
                json.WriteNumber("repacked_huge_bytes", repacked);
            }

            json.WriteEndObject();
        }

        if (report.RepackedPages is { RepackedBytes: > 0 } released)
        {
            // The file's pages the repacked weights were read from, given back right after the load.
            json.WriteStartObject("repacked_pages");
            json.WriteNumber("repacked_bytes", released.RepackedBytes);
            json.WriteNumber("range_bytes", released.RangeBytes);
            json.WriteNumber("released_bytes", released.ReleasedBytes);
            json.WriteEndObject();
        }

        if (report.Ceiling is { } rounds)
        {
            var ceiling = rounds.Typical;
            json.WriteStartObject("ceiling");
            json.WriteNumber("read_bytes_per_second", Math.Round(ceiling.ReadBytesPerSecond));
            json.WriteNumber("bytes_per_token", ceiling.BytesPerToken);
            json.WriteNumber("bandwidth_ceiling_tokens_per_second", Round(ceiling.TokensPerSecond));
            json.WriteNumber("decode_fraction_of_ceiling", Round(rounds.DecodeFraction, 3));
            // What the ceiling read: the mapped file's parts decoding reads, and an anonymous buffer as large as the
            // weights llama.cpp repacked into one (0 without repacking).
            json.WriteStartObject("ceiling_reads");
            json.WriteNumber("mapped_bytes", ceiling.Reads.MappedBytes);
            json.WriteNumber("anonymous_bytes", ceiling.Reads.AnonymousBytes);
            json.WriteEndObject();
            json.WriteStartArray("rounds");
            foreach (var round in rounds.Rounds)
            {
                json.WriteStartObject();
                json.WriteNumber("read_bytes_per_second", Math.Round(round.Ceiling.ReadBytesPerSecond));
                json.WriteNumber("huge_bytes", round.Ceiling.HugeBytes);
                json.WriteNumber("decode_tokens_per_second", Round(round.DecodeTokensPerSecond));
                json.WriteNumber("decode_fraction_of_ceiling", Round(round.DecodeFraction, 3));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            var baseline = report.Baseline;
            if (double.IsFinite(ceiling.ReadBytesPerCpuSecond) && double.IsFinite(baseline.DecodeTokensPerCpuSecond))
            {
                // Per CPU second of the one reading or decoding thread: what the core achieves while it runs.
                json.WriteNumber("read_bytes_per_cpu_second", Math.Round(ceiling.ReadBytesPerCpuSecond));
                json.WriteNumber("bandwidth_ceiling_cpu_tokens_per_second", Round(ceiling.CpuTokensPerSecond));
                json.WriteNumber("baseline_decode_cpu_tokens_per_second", Round(baseline.DecodeTokensPerCpuSecond));
                json.WriteNumber("baseline_decode_fraction_of_cpu_ceiling", Round(rounds.BaselineCpuFraction, 3));
                json.WriteString("read_pattern", ceiling.FastestPattern);
                json.WriteStartObject("read_patterns_bytes_per_cpu_second");
                foreach (var (name, rate) in ceiling.PatternReadBytesPerCpuSecond)
                {
                    json.WriteNumber(name, Math.Round(rate));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }
    }

    private static void WriteLongChat(Utf8JsonWriter json, LongChatFigures? longChat)
    {
        if (longChat is null)
        {
            return;
        }

        json.WriteStartObject("long_chat");
        json.WriteNumber("after_full_over_before", Round(longChat.SingleRatio, 3));
        json.WriteNumber("interleaved_after_full_over_before", Round(longChat.InterleavedRatio, 3));
        WriteLongChat(json, "single", longChat.Single);
        WriteLongChat(json, "interleaved", longChat.Interleaved);
        json.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter json, BenchBox? box)
    {
        if (box is null)
        {
            json.WriteNull("box");
            return;
        }

        json.WriteStartObject("box");
        json.WriteNumber("cpus", box.Cpus);
        json.WriteNumber("memory_bytes", box.MemoryBytes);
        json.WriteString("cgroup", box.CgroupVersion);
        json.WriteEndObject();
    }

    private static void WriteTargets(Utf8JsonWriter json, BenchReport report)
    {
        json.WriteStartArray("targets");
        foreach (var target in BenchTarget.Evaluate(report))
        {
            json.WriteStartObject();
            json.WriteString("name", target.Name);
            json.WriteString("measured", target.Measured);
            json.WriteString("goal", target.Goal);
            json.WriteBoolean("met", target.Met);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    // Rates by a count (clients, sequences): {"1": 12.3, "2": 20.1}.
    private static void WriteRates(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<int, double>> rates)
    {
        json.WriteStartObject(name);
        foreach (var (count, rate) in rates)
        {
            json.WriteNumber(count.ToString(CultureInfo.InvariantCulture), Round(rate));
        }

        json.WriteEndObject();
    }

    private static void WriteArrays(Utf8JsonWriter json, string name, IEnumerable<IEnumerable<double>> arrays)
    {
        json.WriteStartArray(name);
        foreach (var values in arrays)
        {
            WriteArray(json, null, values);
        }

        json.WriteEndArray();
    }

    // Per session: the turn the context first filled on (1-based, 0: never) and per-turn figures.
    private static void WriteLongChat(Utf8JsonWriter json, string name, IReadOnlyList<LongChatSession> sessions)
    {
        json.WriteStartArray(name);
        foreach (var session in sessions)
        {
            json.WriteStartObject();
            json.WriteNumber("first_full_turn", session.FirstFullTurn);
            WriteArray(json, "ttft_ms", session.TtftMs.Select(v => Round(v)));
            WriteArray(json, "evaluated_tokens", session.EvaluatedTokens.Select(v => (double)v));
            WriteArray(json, "omitted_messages", session.OmittedMessages.Select(v => (double)v));
            WriteArray(json, "shifted_out_tokens", session.ShiftedOutTokens.Select(v => (double)v));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string? name, IEnumerable<double> values)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }

        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    // NaN or infinity (a phase too short to time) is written as 0: JSON has no NaN.
    private static double Round(double value, int digits = 1) => double.IsFinite(value) ? Math.Round(value, digits) : 0;
}
