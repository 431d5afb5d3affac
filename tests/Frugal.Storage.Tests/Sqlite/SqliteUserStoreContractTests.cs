using Frugal.Tests.Contract;

namespace Frugal.Tests.Sqlite;

public sealed class SqliteUserStoreContractTests() : UserStoreContractTests(() => new SqliteLocation());
