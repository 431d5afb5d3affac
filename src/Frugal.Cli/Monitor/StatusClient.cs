using System.Net.Http.Headers;
using System.Text.Json;
using Frugal.Server.Contracts;

namespace Frugal.Cli.Monitor;

/// <summary>Reads a running server's <c>GET /status</c> (the typed <see cref="ServerStatus"/>) into a <see cref="MonitorSample"/>.</summary>
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
        // The server's own contract: what GET /status documents is what is read.
        var status = JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ServerStatus)
            ?? throw new JsonException("GET /status answered null.");
        var memory = status.Memory;
        return new MonitorSample
        {
            Timestamp = timestamp,
            Source = source,
            MemoryPressure = status.MemoryPressure,
            EmergencyMode = status.EmergencyMode,
            Restrictions = status.MemoryRestrictions,
            LimitBytes = memory.LimitBytes,
            UsedBytes = memory.UsedBytes,
            ResidentBytes = memory.ResidentBytes,
            AvailableBytes = memory.AvailableBytes,
            ProcessRssBytes = memory.ProcessRssBytes,
            ProcessRssAnonymousBytes = memory.ProcessRssAnonymousBytes,
            ProcessRssFileBytes = memory.ProcessRssFileBytes,
            QueueDepth = status.QueueDepth,
            ActiveGenerations = status.ActiveGenerations,
            PromptTokensPerSecond = status.RecentPromptTokensPerSecond,
            DecodeTokensPerSecond = status.RecentDecodeTokensPerSecond,
        };
    }
}
