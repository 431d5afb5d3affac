using Frugal.Tests.Contract;

namespace Frugal.Tests.Sqlite;

public sealed class SqliteConversationStoreContractTests() : ConversationStoreContractTests(() => new SqliteLocation());
