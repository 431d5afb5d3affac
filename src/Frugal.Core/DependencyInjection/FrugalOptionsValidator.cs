using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>Checks <see cref="FrugalOptions"/> at start (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
public sealed partial class FrugalOptionsValidator : IValidateOptions<FrugalOptions>;
