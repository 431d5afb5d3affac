using Microsoft.Extensions.Options;

namespace Frugal.Memory;

/// <summary>Validates <see cref="MemoryGovernorOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class MemoryGovernorOptionsValidator : IValidateOptions<MemoryGovernorOptions>
{
}
