using Frugal.Conversations;
using Frugal.Users;

namespace Frugal.Tests.Contract;

/// <summary>One opened store under test: what the server would register.</summary>
public sealed record StoreHandle(IUserStore Users, IConversationStore Conversations);
