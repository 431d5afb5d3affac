namespace Frugal.Users;

/// <summary>
/// Users and their API keys. Keys are stored as salted hashes only (<see cref="ApiKeys"/>); a key
/// in clear exists once, in the <see cref="CreatedUser"/> returned by <see cref="CreateAsync"/>.
/// </summary>
public interface IUserStore
{
    /// <summary>Adds a user with a new API key; throws <see cref="DuplicateUserException"/> when the name is taken.</summary>
    Task<CreatedUser> CreateAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every user, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a user and all their keys; false when no active user has that name.</summary>
    Task<bool> RevokeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Issues a new key for <paramref name="name"/> and revokes all their old keys in the same transaction; a revoked
    /// user becomes active again with the new key. Null when no user has that name.
    /// </summary>
    Task<CreatedUser?> RotateAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The active user that owns <paramref name="apiKey"/>, or null (unknown, malformed or revoked key).</summary>
    Task<UserAccount?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken = default);

    /// <summary>How many users are active (the server refuses a non-loopback bind when there are none).</summary>
    Task<int> CountActiveAsync(CancellationToken cancellationToken = default);
}
