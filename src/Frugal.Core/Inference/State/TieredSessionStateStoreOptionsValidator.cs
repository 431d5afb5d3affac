using Microsoft.Extensions.Options;

namespace Frugal.Inference.State;

/// <summary>Checks <see cref="TieredSessionStateStoreOptions"/> so a bad setting fails at start.</summary>
public sealed class TieredSessionStateStoreOptionsValidator : IValidateOptions<TieredSessionStateStoreOptions>
{
    /// <summary>More than this for either tier is surely a typo (a unit too far).</summary>
    public static ByteSize MaximumBudget { get; } = ByteSize.Parse("16t");

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TieredSessionStateStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("The session state store needs a data directory.");
        }
        else if (options.DataDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"The data directory '{options.DataDirectory}' is not a valid path.");
        }

        if (string.IsNullOrWhiteSpace(options.ModelIdentity))
        {
            failures.Add("The session state store needs the model file's identity.");
        }

        if (options.MemoryBudget > MaximumBudget)
        {
            failures.Add($"The session state memory budget {options.MemoryBudget} is larger than {MaximumBudget}.");
        }

        if (options.DiskBudget > MaximumBudget)
        {
            failures.Add($"The session state disk budget {options.DiskBudget} is larger than {MaximumBudget}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
