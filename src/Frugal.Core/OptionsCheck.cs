using Microsoft.Extensions.Options;

namespace Frugal;

/// <summary>
/// Validates options handed to a constructor directly (not through <c>ValidateOnStart</c>), so a type built by hand
/// with a wrong value fails as a host does at start, never by limiting silently.
/// </summary>
internal static class OptionsCheck
{
    /// <summary>Returns <paramref name="options"/>, or throws <see cref="OptionsValidationException"/> with every failure.</summary>
    public static TOptions Valid<TOptions>(IValidateOptions<TOptions> validator, TOptions options)
        where TOptions : class
    {
        var validation = validator.Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), validation.Failures);
        }

        return options;
    }
}
