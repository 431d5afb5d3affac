using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Frugal.Server.Hosting;

/// <summary>
/// Turns what the options system throws at start (validation failures, a key no option has, a value that does
/// not convert) into one line per problem that names the setting, e.g.
/// <c>Memory:HighThreshold must be between 0 and 1.</c> or <c>Model:ContextSize (--ctx) must be ...</c>.
/// </summary>
public static partial class SettingsProblems
{
    /// <summary>The problems in <paramref name="exception"/>, one line each, joined by new lines.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return string.Join(Environment.NewLine, Lines(exception).Distinct(StringComparer.Ordinal));
    }

    private static IEnumerable<string> Lines(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Lines),
        OptionsValidationException validation => validation.Failures.Select(Clean),
        _ => [Chain(exception)],
    };

    // "ReplyTokenCap: The field FrugalOptions.Memory.ReplyTokenCap must be between 1 and 1000000." becomes
    // "Memory:ReplyTokenCap must be between 1 and 1000000."; a message of our own ("MediumThreshold, HighThreshold:
    // Memory: thresholds must rise ...") loses the member list, as it names the setting itself.
    private static string Clean(string failure)
    {
        var match = GeneratedFailure().Match(failure);
        var message = match.Success ? match.Groups["message"].Value : failure;
        var field = FieldMessage().Match(message);
        if (!field.Success)
        {
            return message;
        }

        var path = field.Groups["path"].Value.Split('.');
        var root = path[0] switch
        {
            "FrugalServerOptions" => ["Server"],
            "StorageOptions" => ["Storage"],
            _ => Array.Empty<string>(),
        };
        return string.Join(':', root.Concat(path.Skip(1))) + " " + field.Groups["rest"].Value;
    }

    // A binder error says which key or which value in its first message and why in the inner ones:
    // "Server:MaxRequestBodySize 'lots' is not valid: 'lots' is not a size; write it like 512, 64k, ...".
    private static string Chain(Exception exception)
    {
        if (ConversionFailure().Match(exception.Message) is { Success: true } conversion)
        {
            var why = exception.InnerException?.Message.Trim() ?? $"expected a {conversion.Groups["type"].Value}.";
            return $"{conversion.Groups["key"].Value} '{conversion.Groups["value"].Value}' is not valid: {why}";
        }

        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            parts.Add(current.Message.Trim());
        }

        return string.Join(" ", parts.Distinct(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"^[A-Za-z0-9_, ]+: (?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex GeneratedFailure();

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"^The field (?<path>[A-Za-z0-9_.]+) (?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex FieldMessage();
}
