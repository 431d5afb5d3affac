using System.Net.Http.Headers;
using System.Text.Json;

namespace Frugal.Cli.Monitor;

/// <summary>Reads a running server's <c>GET /status</c> (snake_case JSON) into a <see cref="MonitorSample"/>.</summary>
internal sealed class StatusClient(HttpClient http, Uri baseUrl, string? apiKey)
{
    public async Task<MonitorSample> SampleAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "/status"));
        if (!string.IsNullOrEmpty(apiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{baseUrl} answered /status with {(int)response.StatusCode} {response.ReasonPhrase}" +
                (response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (give a valid --key)" : string.Empty));
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Parse(body, baseUrl.ToString(), DateTimeOffset.UtcNow);
    }

    internal static MonitorSample Parse(ReadOnlySpan<byte> json, string source, DateTimeOffset timestamp)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        var memory = root.TryGetProperty("memory", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return new MonitorSample
        {
            Timestamp = timestamp,
            Source = source,
            MemoryPressure = Text(root, "memory_pressure"),
            EmergencyMode = root.TryGetProperty("emergency_mode", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null,
            Restrictions = root.TryGetProperty("memory_restrictions", out var r) && r.ValueKind == JsonValueKind.Array
                ? [.. r.EnumerateArray().Select(x => x.GetString() ?? string.Empty)]
                : [],
            LimitBytes = Number(memory, "limit_bytes"),
            UsedBytes = Number(memory, "used_bytes"),
            ResidentBytes = Number(memory, "resident_bytes"),
            AvailableBytes = Number(memory, "available_bytes"),
            ProcessRssBytes = Number(memory, "process_rss_bytes"),
            ProcessRssAnonymousBytes = Number(memory, "process_rss_anonymous_bytes"),
            ProcessRssFileBytes = Number(memory, "process_rss_file_bytes"),
            QueueDepth = (int?)Number(root, "queue_depth"),
            ActiveGenerations = (int?)Number(root, "active_generations"),
            PromptTokensPerSecond = Real(root, "recent_prompt_tokens_per_second"),
            DecodeTokensPerSecond = Real(root, "recent_decode_tokens_per_second"),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static double? Real(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
