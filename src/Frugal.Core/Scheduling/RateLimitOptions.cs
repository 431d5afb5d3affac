using System.ComponentModel.DataAnnotations;

namespace Frugal.Scheduling;

/// <summary>
/// Per-user request and token rates (configuration section <c>RateLimits</c>), enforced by <see cref="UserRateLimiter"/>
/// when the host adds it (<c>frugal serve</c> does). Each is a token bucket: a user may spend its burst at once, then
/// what refills each minute; past it the request is refused with 429 and a <c>Retry-After</c> saying when it refills.
/// 0 turns a limit off.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>Default for <see cref="RequestsPerMinute"/>: one a second, far above what one person types.</summary>
    public const int DefaultRequestsPerMinute = 60;

    /// <summary>Default for <see cref="RequestBurst"/>.</summary>
    public const int DefaultRequestBurst = 20;

    /// <summary>
    /// Default for <see cref="TokensPerMinute"/>. One core evaluates about 45 prompt tokens/s and decodes about 13, so
    /// one user alone cannot reach it there; on a bigger box it keeps one user from taking all of it for long.
    /// </summary>
    public const int DefaultTokensPerMinute = 20_000;

    /// <summary>Default for <see cref="TokenBurst"/>.</summary>
    public const int DefaultTokenBurst = 40_000;

    /// <summary>Chat requests (generations) one user may start each minute, after the burst; 0: no limit.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerMinute { get; set; } = DefaultRequestsPerMinute;

    /// <summary>Chat requests one user may start at once after a quiet while.</summary>
    [Range(1, 1_000_000)]
    public int RequestBurst { get; set; } = DefaultRequestBurst;

    /// <summary>
    /// Tokens of work one user may have done each minute, after the burst; 0: no limit. A request counts the prompt
    /// tokens it evaluated (not those kept from an earlier turn) and the tokens it generated, once it ends; an answer
    /// from the response cache counts none. A user whose balance is spent is refused until it refills.
    /// </summary>
    [Range(0, 100_000_000)]
    public int TokensPerMinute { get; set; } = DefaultTokensPerMinute;

    /// <summary>Tokens of work one user may do at once after a quiet while.</summary>
    [Range(1, 100_000_000)]
    public int TokenBurst { get; set; } = DefaultTokenBurst;
}
