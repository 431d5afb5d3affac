using Microsoft.Extensions.Options;

namespace Frugal.Cli.Configuration;

/// <summary>Checks <see cref="StorageOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
