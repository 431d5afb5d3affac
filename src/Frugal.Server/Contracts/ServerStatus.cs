namespace Frugal.Server.Contracts;

/// <summary>The answer of <c>GET /status</c>: the model, memory, the queue, recent speeds and uptime.</summary>
public sealed record ServerStatus
{
    /// <summary>The model's id (as in <c>/v1/models</c>), or the file's name while it loads.</summary>
    public required string? Model { get; init; }
    public required string? ModelPath { get; init; }
    public required long? ModelFileSizeBytes { get; init; }

    /// <summary>The file type as llama.cpp names it ("Q8_0"); null until loaded.</summary>
    public required string? Quantization { get; init; }
    public required int? ContextSize { get; init; }
    public required bool ModelLoaded { get; init; }

    /// <summary>"loading", "loaded" or "failed".</summary>
    public required string LoadState { get; init; }
    public required string? LoadError { get; init; }
    public required MemoryFigures Memory { get; init; }

    /// <summary>The memory governor's level: "low", "medium", "high" or "critical".</summary>
    public string? MemoryPressure { get; init; }

    /// <summary>True at critical pressure: new generations are refused with 503 and Retry-After.</summary>
    public bool EmergencyMode { get; init; }

    /// <summary>What the pressure level restricts now ("reply_tokens_cap=128", ...).</summary>
    public IReadOnlyList<string> MemoryRestrictions { get; init; } = [];

    /// <summary>The governor's thresholds and actions in force (from defaults, appsettings.json, environment, flags).</summary>
    public MemorySettings? MemorySettings { get; init; }
    public required int QueueDepth { get; init; }
    public required int ActiveGenerations { get; init; }

    /// <summary>Replies streaming tokens now (not counting those whose prompts are still being evaluated).</summary>
    public int StreamingReplies { get; init; }

    /// <summary>Streams that may run at once now: the engine's slots, fewer when another would slow the running ones below the floor.</summary>
    public int? StreamLimit { get; init; }

    /// <summary>The slowest a streaming reply may become because others joined (tokens/s); null until the model is loaded.</summary>
    public double? StreamFloorTokensPerSecond { get; init; }

    /// <summary>Reply tokens ahead over which a starting prompt may use the streaming replies' time in hand (0: no pacing).</summary>
    public int? PrefillHorizonTokens { get; init; }

    /// <summary>Every reply the engine works on now, with its rate.</summary>
    public IReadOnlyList<StreamStatus> Streams { get; init; } = [];

    /// <summary>Where the caller's own waiting requests stand in the queue (1 = next), nearest first.</summary>
    public IReadOnlyList<int> YourQueuePositions { get; init; } = [];
    public required double? RecentPromptTokensPerSecond { get; init; }
    public required double? RecentDecodeTokensPerSecond { get; init; }
    public required double UptimeSeconds { get; init; }
}
