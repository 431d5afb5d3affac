namespace Frugal.Storage.Postgres;

/// <summary>
/// Where the database password comes from when the URL has none, so it never has to appear in the
/// process list: the file named by <c>FRUGAL_DATABASE_PASSWORD_FILE</c> (its first line; e.g. a mounted
/// secret), else <c>FRUGAL_DATABASE_PASSWORD</c>. With neither, Npgsql's own <c>PGPASSWORD</c> and
/// passfile (<c>~/.pgpass</c>, <c>PGPASSFILE</c>) still apply.
/// </summary>
public static class PostgresPassword
{
    public const string FileVariable = "FRUGAL_DATABASE_PASSWORD_FILE";
    public const string Variable = "FRUGAL_DATABASE_PASSWORD";

    /// <summary>The password from the environment, or null; throws <see cref="InvalidOperationException"/> when the named file cannot be read.</summary>
    public static string? FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(FileVariable) is { Length: > 0 } file)
        {
            try
            {
                using var reader = new StreamReader(file);
                return reader.ReadLine() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{FileVariable}: cannot read '{file}': {e.Message}", e);
            }
        }

        return environment(Variable) is { Length: > 0 } password ? password : null;
    }
}
