using Frugal.Conversations;
using Frugal.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Frugal.Storage.Postgres;

/// <summary>Registers the PostgreSQL store: users, conversations, and the cross-instance session leases.</summary>
public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Makes <paramref name="database"/> (already open and migrated) the store of users and
    /// conversations, with <see cref="PostgresSessionLeases"/> so instances sharing it never interleave
    /// two replies in one session.
    /// </summary>
    public static IServiceCollection AddFrugalPostgresStore(this IServiceCollection services, PostgresDatabase database, TimeSpan? leaseWait = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(database);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<IUserStore>(provider => new PostgresUserStore(database, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConversationStore>(provider => new PostgresConversationStore(database, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISessionLeases>(provider => new PostgresSessionLeases(database, leaseWait, provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
