using System.Globalization;
using System.Text.Json;
using Frugal.Memory;
using Frugal.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Frugal.Cli.Configuration;

/// <summary>
/// The settings of <c>frugal serve</c> that live outside its flags: the memory governor (<c>Memory</c>),
/// the session-state budgets (<c>SessionState</c>) and the response cache (<c>ResponseCache</c>). Sources,
/// later ones winning: <c>appsettings.json</c> beside the binary, <c>appsettings.json</c> in the working
/// directory, <c>--config FILE</c>, environment variables <c>FRUGAL__SECTION__KEY</c>, and
/// <c>--set Section:Key=value</c> flags. Everything is checked before the server starts: an unknown key,
/// a value of the wrong type or a setting out of range is reported, and nothing starts.
/// </summary>
internal static class ServeConfiguration
{
    public const string FileName = "appsettings.json";
    public const string EnvironmentPrefix = "FRUGAL__";


    /// <summary>Reads every source, binds it into <paramref name="options"/> and validates; the problems (empty when fine).</summary>
    /// <param name="options">Filled in place.</param>
    /// <param name="configFile">The <c>--config</c> file (must exist), or null.</param>
    /// <param name="sets">The <c>--set KEY=VALUE</c> flags.</param>
    /// <param name="sources">The files that were read, for the start-up line.</param>
    public static IReadOnlyList<string> Apply(FrugalServerOptions options, string? configFile, IReadOnlyList<string> sets, out IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(options);
        var read = new List<string>();
        sources = read;
        var problems = new List<string>();
        var overrides = ParseSets(sets, problems);
        if (configFile is not null && !File.Exists(configFile))
        {
            problems.Add($"--config {configFile}: no such file.");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        var builder = new ConfigurationBuilder();
        foreach (var file in DefaultFiles().Append(configFile).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (File.Exists(file))
            {
                builder.AddJsonFile(file, optional: false, reloadOnChange: false);
                read.Add(file);
            }
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(overrides);
        try
        {
            Bind(builder.Build(), options);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or JsonException)
        {
            // A file that is not JSON, an unknown key, or a value that does not convert: each level of
            // the exception adds a part (which file or key, then where or why).
            problems.Add(Describe(e));
        }

        if (problems.Count == 0 && new MemoryGovernorOptionsValidator().Validate(null, options.Memory) is { Failed: true } memory)
        {
            problems.AddRange(memory.Failures.Select(f => $"Memory: {f}"));
        }

        return problems;
    }

    // A misspelt key is an error, not a silently ignored setting.
    private static void Strict(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            parts.Add(current.Message.Trim());
        }

        return string.Join(" ", parts.Distinct(StringComparer.Ordinal));
    }

    private static IEnumerable<string?> DefaultFiles() =>
    [
        Path.Combine(AppContext.BaseDirectory, FileName),
        Path.GetFullPath(FileName),
    ];

    private static void Bind(IConfiguration configuration, FrugalServerOptions options)
    {
        configuration.GetSection(MemoryGovernorOptions.SectionName).Bind(options.Memory, Strict);
        configuration.GetSection("Conversations").Bind(options.Conversations, Strict);

        var sessionState = new SessionStateSettings { MemoryBudget = options.SessionStateMemoryBudget, DiskBudget = options.SessionStateDiskBudget };
        configuration.GetSection(SessionStateSettings.SectionName).Bind(sessionState, Strict);
        options.SessionStateMemoryBudget = sessionState.MemoryBudget;
        options.SessionStateDiskBudget = sessionState.DiskBudget;

        var cache = new ResponseCacheSettings { MaxBytes = options.ResponseCacheSize };
        configuration.GetSection(ResponseCacheSettings.SectionName).Bind(cache, Strict);
        options.ResponseCacheSize = cache.MaxBytes;
    }

    private static Dictionary<string, string?> ParseSets(IReadOnlyList<string> sets, List<string> problems)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !set.AsSpan(0, equals).Contains(':'))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"--set '{set}' is not Section:Key=value (e.g. Memory:HighThreshold=0.85)."));
                continue;
            }

            values[set[..equals].Trim()] = set[(equals + 1)..].Trim();
        }

        return values;
    }

    /// <summary>Section <c>SessionState</c>: byte budgets of kept KV states ("64m", "1g").</summary>
    private sealed class SessionStateSettings
    {
        public const string SectionName = "SessionState";

        public ByteSize MemoryBudget { get; set; }

        public ByteSize DiskBudget { get; set; }
    }

    /// <summary>Section <c>ResponseCache</c>: the byte budget of cached replies ("8m"; 0 turns it off).</summary>
    private sealed class ResponseCacheSettings
    {
        public const string SectionName = "ResponseCache";

        public ByteSize MaxBytes { get; set; }
    }
}
