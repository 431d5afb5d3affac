using Microsoft.Extensions.Options;

namespace Frugal.Server.Hosting;

/// <summary>Checks <see cref="FrugalServerOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class FrugalServerOptionsValidator : IValidateOptions<FrugalServerOptions>;
