using Frugal.Tests.Contract;
using Frugal.Tests.Infrastructure;

namespace Frugal.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationContractTests(PostgresCluster cluster) : MigrationContractTests(() => new PostgresLocation(cluster));
