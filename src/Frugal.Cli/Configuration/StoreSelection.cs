using Frugal.Server.Hosting;
using Frugal.Storage.Postgres;
using Frugal.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Frugal.Cli.Configuration;

/// <summary>
/// The store is the CLI's choice, by <see cref="StorageOptions.Database"/> (see <see cref="DatabaseLocation"/>): the
/// embedded SQLite file by default, or a PostgreSQL database shared by several instances. Each store project offers
/// one registration extension; this picks one.
/// </summary>
internal static class StoreSelection
{
    /// <summary>Registers <see cref="StorageOptions"/> (validated at start) and the store it names.</summary>
    public static IServiceCollection AddFrugalStore(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageOptions.SectionName);
        services.AddOptions<StorageOptions>().Bind(section, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        // The registration needs the kind now; a bad value is reported by the validator before anything opens.
        var storage = new StorageOptions();
        section.Bind(storage);
        if (!DatabaseLocation.TryParse(storage.Database, storage.Directory, out var location, out _))
        {
            return services;
        }

        if (location.SqliteFile is { } file)
        {
            return services.AddFrugalSqlite(file);
        }

        try
        {
            return services.AddFrugalPostgres(location.PostgresConnectionString());
        }
        catch (InvalidOperationException e)
        {
            // The password file named by the environment cannot be read.
            throw new ServerStartException(e.Message, e);
        }
    }
}
