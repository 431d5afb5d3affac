using System.ComponentModel.DataAnnotations;
using Frugal.Caching;
using Frugal.Inference.State;
using Frugal.Models;
using Frugal.Scheduling;

namespace Frugal.DependencyInjection;

/// <summary>What <see cref="FrugalServiceCollectionExtensions.AddFrugal"/> runs: the model file and the limits of its one worker.</summary>
public sealed class FrugalOptions
{
    /// <summary>Largest <see cref="ContextSize"/> accepted.</summary>
    public const int MaxContextSize = 131_072;

    /// <summary>The GGUF file to load (required).</summary>
    [Required(AllowEmptyStrings = false)]
    public string ModelPath { get; set; } = "";

    /// <summary>Context size in tokens; 0 takes the model's own (capped by the engine).</summary>
    [Range(0, MaxContextSize)]
    public int ContextSize { get; set; }

    /// <summary>Threads for inference; 0 uses the CPUs the process may use.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Chat format; null takes it from the model file.</summary>
    public ChatTemplateFamily? ChatTemplate { get; set; }

    /// <summary>
    /// Where idle conversations' KV states are kept (under <c>{StateDirectory}/kv/</c>, within a disk budget of
    /// <see cref="TieredSessionStateStoreOptions.DefaultDiskBudget"/>), so a conversation's next turn is not
    /// evaluated again after another has used the context; null keeps none.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// Bytes of replies kept to answer identical deterministic requests (temperature 0, or the same seed and
    /// settings, same full prompt) without running the model; 0 turns the response cache off.
    /// </summary>
    public ByteSize ResponseCacheSize { get; set; } = ResponseCacheOptions.DefaultMaxBytes;

    /// <summary>Requests that may wait for the worker; one more is refused with <see cref="QueueFullException"/>.</summary>
    [Range(1, SchedulerOptions.MaxAllowedQueueDepth)]
    public int MaxQueueDepth { get; set; } = SchedulerOptions.DefaultMaxQueueDepth;

    /// <summary>Longest one generation may run; then it ends with finish reason Length.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxGenerationTime { get; set; } = SchedulerOptions.DefaultMaxGenerationTime;
}
