namespace Frugal.Users;

/// <summary>A user with that name already exists.</summary>
public sealed class DuplicateUserException : Exception
{
    public DuplicateUserException() : base("A user with that name already exists.") { }

    public DuplicateUserException(string message) : base(message) { }

    public DuplicateUserException(string message, Exception innerException) : base(message, innerException) { }
}
