using Frugal.Caching;
using Frugal.Conversations;
using Frugal.Memory;
using Frugal.Scheduling;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>
/// Everything <see cref="FrugalServiceCollectionExtensions.AddFrugal(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// runs on, one configuration section per part: the model and its engine (<c>Model</c>), the queue
/// (<c>Scheduler</c>), the memory governor (<c>Memory</c>), the kept KV states (<c>SessionState</c>) and the
/// response cache (<c>ResponseCache</c>). Validated once, when the host starts; plain values only.
/// </summary>
public sealed class FrugalOptions
{
    /// <summary>The sections these options bind from, in the order they are documented.</summary>
    public static IReadOnlyList<string> SectionNames { get; } =
        [ModelOptions.SectionName, SchedulerOptions.SectionName, MemoryGovernorOptions.SectionName, SessionStateOptions.SectionName, ResponseCacheOptions.SectionName, ConversationLimits.SectionName, RateLimitOptions.SectionName];

    /// <summary>The model file and the engine's settings (section <c>Model</c>).</summary>
    [ValidateObjectMembers]
    public ModelOptions Model { get; set; } = new();

    /// <summary>How many requests may wait and how long one may run (section <c>Scheduler</c>).</summary>
    [ValidateObjectMembers]
    public SchedulerOptions Scheduler { get; set; } = new();

    /// <summary>The memory governor's thresholds and actions (section <c>Memory</c>); used when the host adds the governor.</summary>
    [ValidateObjectMembers]
    public MemoryGovernorOptions Memory { get; set; } = new();

    /// <summary>Where and how much idle conversations' KV state is kept (section <c>SessionState</c>).</summary>
    public SessionStateOptions SessionState { get; set; } = new();

    /// <summary>The response cache's budget (section <c>ResponseCache</c>).</summary>
    public ResponseCacheOptions ResponseCache { get; set; } = new();

    /// <summary>What one user may keep and the longest system prompt (section <c>Conversations</c>).</summary>
    [ValidateObjectMembers]
    public ConversationLimits Conversations { get; set; } = new();

    /// <summary>Each user's requests and tokens per minute (section <c>RateLimits</c>); enforced when the host adds the limiter.</summary>
    [ValidateObjectMembers]
    public RateLimitOptions RateLimits { get; set; } = new();
}
