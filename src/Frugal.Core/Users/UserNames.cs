namespace Frugal.Users;

/// <summary>What a user name may look like: 1–64 letters, digits, '.', '_', '-' (safe in logs and shells).</summary>
public static class UserNames
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Null when <paramref name="name"/> is acceptable, else why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A user name must not be empty.";
        }

        if (name.Length > MaxLength)
        {
            return $"A user name has at most {MaxLength} characters.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"A user name may contain only letters, digits, '.', '_' and '-' (found '{c}').";
            }
        }

        return null;
    }
}
