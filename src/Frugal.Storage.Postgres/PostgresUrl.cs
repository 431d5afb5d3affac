using System.Globalization;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// Reads <c>postgres://user[:password]@host[:port]/database[?sslmode=…&amp;pool_size=N&amp;connect_timeout=S]</c>
/// into Npgsql's connection string with the small-box defaults: at most
/// <see cref="PostgresDatabase.DefaultMaxPoolSize"/> connections, idle ones closed after a minute,
/// TCP keep-alive so a dead server is noticed. The password may also come from elsewhere (a file, an
/// environment variable: see <c>--database</c>), or from PostgreSQL's own <c>PGPASSWORD</c> and passfile.
/// </summary>
public static class PostgresUrl
{
    private const int DefaultPort = 5432;
    private const int MaxPoolSizeLimit = 100;

    /// <summary>True when <paramref name="value"/> starts with <c>postgres://</c> or <c>postgresql://</c>.</summary>
    public static bool IsPostgresUrl(string? value) =>
        value is not null && (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the URL carries a password (callers refuse one given on the command line).</summary>
    public static bool HasPassword(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// The connection string for <paramref name="url"/>; <paramref name="password"/> is used when the URL has
    /// none. Throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static string ToConnectionString(string url, string? password = null)
    {
        if (!IsPostgresUrl(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{Redact(url)}' is not a PostgreSQL URL: write postgres://USER@HOST:PORT/DATABASE.", nameof(url));
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal) || user.Length == 0)
        {
            throw new ArgumentException($"'{Redact(url)}' must name a user and one database: postgres://USER@HOST:PORT/DATABASE.", nameof(url));
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
            Database = database,
            Username = user,
            Password = separator < 0 ? password : Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]),
            ApplicationName = "frugal",
            MaxPoolSize = PostgresDatabase.DefaultMaxPoolSize,
            MinPoolSize = 0,
            ConnectionIdleLifetime = 60,
            Timeout = 10,
            CommandTimeout = 30,
            KeepAlive = 15,
        };
        ApplyQuery(builder, uri.Query, url);
        return builder.ConnectionString;
    }

    /// <summary><paramref name="url"/> with any password replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return url;
        }

        var colon = url.IndexOf(':', scheme + 3);
        return colon < 0 || colon > at ? url : url[..(colon + 1)] + "***" + url[at..];
    }

    private static void ApplyQuery(NpgsqlConnectionStringBuilder builder, string query, string url)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ArgumentException($"'{Redact(url)}': sslmode must be disable, allow, prefer, require, verify-ca or verify-full.", nameof(url)),
                    };
                    break;
                case "pool_size":
                    builder.MaxPoolSize = ParseInt(value, 1, MaxPoolSizeLimit, key, url);
                    break;
                case "connect_timeout":
                    builder.Timeout = ParseInt(value, 1, 1024, key, url);
                    break;
                default:
                    throw new ArgumentException($"'{Redact(url)}': unknown parameter '{key}' (known: sslmode, pool_size, connect_timeout).", nameof(url));
            }
        }
    }

    private static int ParseInt(string value, int min, int max, string key, string url) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"'{Redact(url)}': {key} must be a whole number from {min} to {max}.", nameof(url));
}
