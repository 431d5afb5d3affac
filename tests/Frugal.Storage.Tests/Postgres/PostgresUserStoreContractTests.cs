using Frugal.Tests.Contract;
using Frugal.Tests.Infrastructure;

namespace Frugal.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresUserStoreContractTests(PostgresCluster cluster) : UserStoreContractTests(() => new PostgresLocation(cluster));
