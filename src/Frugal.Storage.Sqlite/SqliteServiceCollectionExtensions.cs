using Frugal.Conversations;
using Frugal.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Frugal.Storage.Sqlite;

/// <summary>Registers the embedded store: users and conversations in one SQLite file.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Keeps users (<see cref="IUserStore"/>) and conversations (<see cref="IConversationStore"/>) in the SQLite file
    /// <paramref name="databasePath"/>, opened (created and migrated when needed) on first use.
    /// </summary>
    public static IServiceCollection AddFrugalSqlite(this IServiceCollection services, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        services.AddSingleton(_ => SqliteDatabase.OpenFile(databasePath));
        services.AddSingleton<IUserStore>(provider => new SqliteUserStore(provider.GetRequiredService<SqliteDatabase>(), provider.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<IConversationStore>(provider => new SqliteConversationStore(provider.GetRequiredService<SqliteDatabase>(), provider.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
