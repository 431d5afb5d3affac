using Frugal.Tests.Contract;

namespace Frugal.Tests.Sqlite;

public sealed class SqliteMigrationContractTests() : MigrationContractTests(() => new SqliteLocation());
