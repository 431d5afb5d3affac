using Frugal.Tests.Contract;
using Frugal.Tests.Infrastructure;

namespace Frugal.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresConversationStoreContractTests(PostgresCluster cluster) : ConversationStoreContractTests(() => new PostgresLocation(cluster));
