using Frugal.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Frugal.Cli.Configuration;

/// <summary>
/// The store is the CLI's choice, by <see cref="StorageOptions.Database"/>: <c>sqlite:PATH</c> or a plain path is the
/// embedded SQLite file (the default: <c>{data}/frugal.db</c>). Each store project offers one registration
/// extension; this picks one.
/// </summary>
internal static class StoreSelection
{
    private const string SqliteScheme = "sqlite:";

    /// <summary>Registers <see cref="StorageOptions"/> (validated at start) and the store it names.</summary>
    public static IServiceCollection AddFrugalStore(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageOptions.SectionName);
        services.AddOptions<StorageOptions>().Bind(section, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        // The registration needs the kind now; a bad value is reported by the validator before anything opens.
        var storage = new StorageOptions();
        section.Bind(storage);
        return TryParse(storage, out var sqliteFile, out _) ? services.AddFrugalSqlite(sqliteFile) : services;
    }

    /// <summary>The SQLite file <paramref name="storage"/> names, or why it names nothing this build can open.</summary>
    public static bool TryParse(StorageOptions storage, out string sqliteFile, out string problem)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var database = storage.Database?.Trim();
        problem = "";
        if (string.IsNullOrEmpty(database))
        {
            sqliteFile = Path.Combine(storage.Directory, SqliteDatabase.FileName);
            return true;
        }

        sqliteFile = database.StartsWith(SqliteScheme, StringComparison.OrdinalIgnoreCase) ? database[SqliteScheme.Length..] : database;
        if (sqliteFile.Length == 0 || HasOtherScheme(sqliteFile))
        {
            problem = $"Storage:Database '{database}' is not a SQLite file path or sqlite:PATH.";
            return false;
        }

        return true;
    }

    // "postgres://..." or "mysql:..." name a store this build does not have; "C:\..." and "./a:b" are paths.
    private static bool HasOtherScheme(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && value[..colon].All(char.IsAsciiLetterOrDigit);
    }
}
