using Frugal.Conversations;
using Frugal.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Frugal.Storage.Postgres;

/// <summary>Registers the PostgreSQL store: users, conversations, and the cross-instance session leases.</summary>
public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Makes the database at <paramref name="connectionString"/> (see <see cref="PostgresUrl"/>) the store of
    /// users and conversations, with <see cref="PostgresSessionLeases"/> so instances sharing it never
    /// interleave two replies in one session.
    /// </summary>
    public static IServiceCollection AddFrugalPostgres(this IServiceCollection services, string connectionString, TimeSpan? leaseWait = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.TryAddSingleton(TimeProvider.System);
        // Opened (and migrated) when first needed: at start, by the user check or the first request.
        services.AddSingleton(_ => PostgresDatabase.Open(connectionString));
        AddStores(services, leaseWait);
        return services;
    }

    /// <summary>As <see cref="AddFrugalPostgres"/> with a database already open (tests, hosts that share one).</summary>
    public static IServiceCollection AddFrugalPostgresStore(this IServiceCollection services, PostgresDatabase database, TimeSpan? leaseWait = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(database);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        AddStores(services, leaseWait);
        return services;
    }

    private static void AddStores(IServiceCollection services, TimeSpan? leaseWait)
    {
        services.AddSingleton<IUserStore>(provider => new PostgresUserStore(
            provider.GetRequiredService<PostgresDatabase>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConversationStore>(provider => new PostgresConversationStore(
            provider.GetRequiredService<PostgresDatabase>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISessionLeases>(provider => new PostgresSessionLeases(
            provider.GetRequiredService<PostgresDatabase>(), leaseWait, provider.GetRequiredService<TimeProvider>()));
    }
}
