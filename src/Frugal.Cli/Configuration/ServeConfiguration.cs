using System.Globalization;
using System.Text.Json;
using Frugal.DependencyInjection;
using Frugal.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Frugal.Cli.Configuration;

/// <summary>
/// The one settings tree of <c>frugal serve</c>. Sources, later ones winning: built-in defaults,
/// <c>appsettings.json</c> beside the binary, <c>appsettings.json</c> in the working directory, <c>--config FILE</c>,
/// the short environment variables (<c>FRUGAL_CTX</c>, <c>FRUGAL_BATCH</c>, <c>FRUGAL_UBATCH</c>, <c>FRUGAL_THREADS</c>,
/// <c>FRUGAL_PARALLEL</c>, <c>FRUGAL_DATA</c>, <c>FRUGAL_DATABASE</c>), environment variables <c>FRUGAL__SECTION__KEY</c>, the command's flags (each mapped onto
/// its key, see <see cref="ServeFlags"/>) and <c>--set Section:Key=value</c>. The options bound from it are
/// validated once, when the server is built.
/// </summary>
internal static class ServeConfiguration
{
    public const string FileName = "appsettings.json";
    public const string EnvironmentPrefix = "FRUGAL__";

    /// <summary>The short environment variables of the engine settings and the keys they set.</summary>
    public static IReadOnlyDictionary<string, string> ShortEnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FRUGAL_CTX"] = "Model:ContextSize",
        ["FRUGAL_BATCH"] = "Model:BatchSize",
        ["FRUGAL_UBATCH"] = "Model:MicroBatchSize",
        ["FRUGAL_THREADS"] = "Model:Threads",
        ["FRUGAL_PARALLEL"] = "Model:ParallelSequences",
        ["FRUGAL_STREAM_FLOOR"] = "Model:StreamFloorTokensPerSecond",
        ["FRUGAL_PREFILL_CHUNK"] = "Model:PrefillChunkTokens",
        ["FRUGAL_PREFILL_HORIZON"] = "Model:PrefillHorizonTokens",
        ["FRUGAL_DATA"] = "Storage:Directory",
        [DatabaseLocation.Variable] = "Storage:Database",
    };

    /// <summary>Top-level sections a settings file may have: the options' and <c>Logging</c>.</summary>
    public static IReadOnlyList<string> KnownSections { get; } =
        [.. FrugalOptions.SectionNames, FrugalServerOptions.SectionName, StorageOptions.SectionName, "Logging"];

    /// <summary>Reads every source into one tree; the problems that stop it (a missing file, bad JSON, a malformed --set, an unknown section).</summary>
    /// <param name="flags">The keys the command's flags set.</param>
    /// <param name="configFile">The <c>--config</c> file (must exist), or null.</param>
    /// <param name="sets">The <c>--set KEY=VALUE</c> flags.</param>
    public static ServeSettings Build(IReadOnlyDictionary<string, string?> flags, string? configFile, IReadOnlyList<string> sets)
    {
        var problems = new List<string>();
        var overrides = ParseSets(sets, problems);
        if (configFile is not null && !File.Exists(configFile))
        {
            problems.Add($"--config {configFile}: no such file.");
        }

        if (problems.Count > 0)
        {
            return new ServeSettings(new ConfigurationBuilder().Build(), [], problems);
        }

        var sources = new List<string>();
        var builder = new ConfigurationBuilder().AddInMemoryCollection(Defaults());
        foreach (var file in DefaultFiles().Append(configFile).OfType<string>().Distinct(StringComparer.Ordinal).Where(File.Exists))
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
            sources.Add(file);
        }

        builder.AddInMemoryCollection(ShortEnvironment());
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(flags);
        builder.AddInMemoryCollection(overrides);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            problems.Add(SettingsProblems.Describe(e));
            return new ServeSettings(new ConfigurationBuilder().Build(), sources, problems);
        }

        problems.AddRange(configuration.GetChildren()
            .Where(section => !KnownSections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            .Select(section => $"Unknown settings section '{section.Key}' (known: {string.Join(", ", KnownSections)})."));
        return new ServeSettings(WithDataDirectoryForStates(configuration), sources, problems);
    }

    // serve fits what the operator left open to the box, and keeps idle conversations' states under its data directory.
    private static Dictionary<string, string?> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Model:FitToBox"] = "true",
        ["Storage:Directory"] = StorageOptions.DefaultDirectory,
    };

    private static IConfiguration WithDataDirectoryForStates(IConfigurationRoot configuration) =>
        configuration["SessionState:Directory"] is { Length: > 0 } ? configuration : With(configuration, "SessionState:Directory", configuration["Storage:Directory"]);

    /// <summary><paramref name="configuration"/> with one more key over it.</summary>
    public static IConfiguration With(IConfiguration configuration, string key, string? value) =>
        new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();

    private static Dictionary<string, string?> ShortEnvironment()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in ShortEnvironmentVariables)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }

        return values;
    }

    private static IEnumerable<string?> DefaultFiles() =>
    [
        Path.Combine(AppContext.BaseDirectory, FileName),
        Path.GetFullPath(FileName),
    ];

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
}
