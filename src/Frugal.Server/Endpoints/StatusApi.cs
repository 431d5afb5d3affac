using System.Diagnostics;
using Frugal.DependencyInjection;
using Frugal.Diagnostics;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Scheduling;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Frugal.Server.Endpoints;

/// <summary><c>GET /status</c> (key needed): what runs, how loaded the box is, and how fast it has been lately.</summary>
public static class StatusApi
{
    /// <summary>Maps <c>GET /status</c>.</summary>
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/status", GetStatus);
        return endpoints;
    }

    internal static JsonHttpResult<ServerStatus> GetStatus(
        HttpContext context,
        IOptions<FrugalOptions> options,
        EngineReadiness readiness,
        IGenerationScheduler scheduler,
        FrugalMetrics metrics,
        IMemoryProbe memory,
        MemoryGovernor governor)
    {
        var model = readiness.Engine?.Model;
        var configured = options.Value.Model.Path;
        var path = model?.Path ?? (string.IsNullOrEmpty(configured) ? null : Path.GetFullPath(configured));
        var governed = governor.Current;
        var reading = memory.Read();
        var streams = readiness.Engine?.Streams ?? [];
        var status = new ServerStatus
        {
            Model = model?.Id ?? (path is not null ? ModelInfo.IdOf(path) : null),
            ModelPath = path,
            ModelFileSizeBytes = model?.FileSizeBytes ?? (path is not null && File.Exists(path) ? new FileInfo(path).Length : null),
            Quantization = model?.FileType,
            ContextSize = readiness.Engine?.ContextSize,
            ModelLoaded = readiness.State == EngineLoadState.Loaded,
            LoadState = readiness.State.ToString().ToLowerInvariant(),
            LoadError = readiness.FailureReason,
            Memory = new MemoryFigures(reading.LimitBytes, reading.UsageBytes, reading.AvailableBytes, reading.ProcessRssBytes)
            {
                ResidentBytes = reading.ResidentRequiredBytes,
                ProcessRssAnonymousBytes = reading.ProcessRssAnonymousBytes,
                ProcessRssFileBytes = reading.ProcessRssFileBytes,
            },
            MemoryPressure = governed.LevelName,
            EmergencyMode = governed.EmergencyMode,
            MemoryRestrictions = governed.Restrictions.Describe(),
            MemorySettings = Settings(governor.Options),
            QueueDepth = scheduler.QueueDepth,
            ActiveGenerations = scheduler.ActiveGenerations,
            StreamingReplies = streams.Count(s => !s.Prefilling),
            StreamLimit = readiness.Engine?.StreamLimit,
            StreamFloorTokensPerSecond = options.Value.Model.StreamFloorTokensPerSecond,
            PrefillHorizonTokens = options.Value.Model.PrefillHorizonTokens,
            Streams = [.. streams.Select(s => new StreamStatus(s.Slot, s.Prefilling ? "prefill" : "streaming", s.PromptTokens, s.EvaluatedTokens,
                s.CompletionTokens, Math.Round(s.TokensPerSecond, 2)))],
            YourQueuePositions = context.TryGetFrugalUser() is { } user ? scheduler.QueuePositionsOf(user.Id) : [],
            RecentPromptTokensPerSecond = Round(metrics.RecentPromptTokensPerSecond),
            RecentDecodeTokensPerSecond = Round(metrics.RecentDecodeTokensPerSecond),
            UptimeSeconds = Math.Round(ProcessUptime().TotalSeconds, 1),
        };
        return TypedResults.Json(status, OpenAIJsonContext.Default.ServerStatus);
    }

    private static MemorySettings Settings(MemoryGovernorOptions o) => new(
        o.MediumThreshold, o.HighThreshold, o.CriticalThreshold, o.Hysteresis, o.ReplyTokenCap, o.HistoryExchanges, o.QueueDepthFactor,
        o.EmergencyRunningAction.ToString().ToLowerInvariant(), o.RefreshInterval.TotalSeconds);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;

    private static TimeSpan ProcessUptime()
    {
        using var process = Process.GetCurrentProcess();
        return DateTime.Now - process.StartTime;
    }
}
