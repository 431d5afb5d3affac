using System.Text.Json;

namespace Frugal.Cli.Monitor;

/// <summary>Writes one sample as a JSON object (snake_case, nulls for figures not known) for scripts.</summary>
internal static class MonitorSampleJson
{
    public static void Write(MonitorSample sample, Stream output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("timestamp", sample.Timestamp);
        json.WriteString("source", sample.Source);
        json.WriteString("memory_pressure", sample.MemoryPressure);
        WriteBool(json, "emergency_mode", sample.EmergencyMode);
        json.WriteStartArray("restrictions");
        foreach (var restriction in sample.Restrictions)
        {
            json.WriteStringValue(restriction);
        }

        json.WriteEndArray();
        WriteNumber(json, "limit_bytes", sample.LimitBytes);
        WriteNumber(json, "used_bytes", sample.UsedBytes);
        WriteNumber(json, "resident_bytes", sample.ResidentBytes);
        WriteNumber(json, "available_bytes", sample.AvailableBytes);
        WriteNumber(json, "pressure_ratio", sample.PressureRatio is { } r ? Math.Round(r, 4) : null);
        WriteNumber(json, "process_rss_bytes", sample.ProcessRssBytes);
        WriteNumber(json, "process_rss_anonymous_bytes", sample.ProcessRssAnonymousBytes);
        WriteNumber(json, "process_rss_file_bytes", sample.ProcessRssFileBytes);
        WriteNumber(json, "queue_depth", sample.QueueDepth);
        WriteNumber(json, "active_generations", sample.ActiveGenerations);
        WriteNumber(json, "prompt_tokens_per_second", sample.PromptTokensPerSecond);
        WriteNumber(json, "decode_tokens_per_second", sample.DecodeTokensPerSecond);
        WriteNumber(json, "stall_percent", sample.StallPercent);
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteBool(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } v)
        {
            json.WriteBoolean(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
