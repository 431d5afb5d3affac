using Microsoft.Extensions.Options;

namespace Frugal.Scheduling;

/// <summary>Checks <see cref="RateLimitOptions"/> at start (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
public sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;
