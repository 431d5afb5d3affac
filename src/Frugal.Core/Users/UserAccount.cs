namespace Frugal.Users;

/// <summary>A person (or program) allowed to call the server.</summary>
/// <param name="Id">Stable identifier; owns sessions and is the fairness key of the scheduler.</param>
/// <param name="Name">Unique name given at creation (<c>frugal user add NAME</c>).</param>
/// <param name="CreatedAt">When the user was added.</param>
/// <param name="RevokedAt">When the user was revoked (their keys stop working), or null.</param>
public sealed record UserAccount(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>True while the user's keys are accepted.</summary>
    public bool IsActive => RevokedAt is null;
}
