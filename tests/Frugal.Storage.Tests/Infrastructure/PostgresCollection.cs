namespace Frugal.Tests.Infrastructure;

/// <summary>Every test class that needs PostgreSQL shares one throwaway cluster per test run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
