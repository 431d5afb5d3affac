namespace Frugal.Users;

/// <summary>A newly added user and their API key, which exists in clear only here: the store keeps a salted hash.</summary>
/// <param name="User">The stored user.</param>
/// <param name="ApiKey">The key to hand to the user once (<c>frugal_…</c>).</param>
public sealed record CreatedUser(UserAccount User, string ApiKey);
