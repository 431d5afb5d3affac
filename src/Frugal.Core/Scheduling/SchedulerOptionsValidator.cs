using Microsoft.Extensions.Options;

namespace Frugal.Scheduling;

/// <summary>Checks <see cref="SchedulerOptions"/> at start (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
public sealed partial class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>;
