using Frugal.Storage.Postgres;
using Npgsql;

namespace Frugal.Tests.Postgres;

public sealed class PostgresUrlTests
{
    [Fact]
    public void ToConnectionString_FullUrl_ReadsEveryPartWithSmallBoxPool()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgres://fru%40gal:p%3Ass@db.example:6543/frugal_prod?sslmode=require"));

        Assert.Equal(("db.example", 6543, "frugal_prod", "fru@gal", "p:ss"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal(PostgresDatabase.DefaultMaxPoolSize, builder.MaxPoolSize);
        Assert.Equal(0, builder.MinPoolSize);
    }

    [Fact]
    public void ToConnectionString_NoPasswordInUrl_TakesTheGivenOne()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgresql://frugal@127.0.0.1/frugal?pool_size=3", "from-file"));

        Assert.Equal((5432, "from-file", 3), (builder.Port, builder.Password, builder.MaxPoolSize));
        Assert.False(PostgresUrl.HasPassword("postgresql://frugal@127.0.0.1/frugal"));
        Assert.True(PostgresUrl.HasPassword("postgresql://frugal:x@127.0.0.1/frugal"));
    }

    [Theory]
    [InlineData("postgres://frugal@host", "one database")]
    [InlineData("postgres://host/db", "user")]
    [InlineData("postgres://frugal@host/db?pool_size=0", "pool_size")]
    [InlineData("postgres://frugal@host/db?sslmode=maybe", "sslmode")]
    [InlineData("postgres://frugal@host/db?options=-c", "unknown parameter 'options'")]
    [InlineData("mysql://frugal@host/db", "not a PostgreSQL URL")]
    public void ToConnectionString_BadUrl_SaysWhat(string url, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresUrl.ToConnectionString(url));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_UrlWithPassword_HidesOnlyThePassword()
    {
        Assert.Equal("postgres://frugal:***@host:5432/db", PostgresUrl.Redact("postgres://frugal:s3cret@host:5432/db"));
        Assert.Equal("postgres://frugal@host/db", PostgresUrl.Redact("postgres://frugal@host/db"));
    }
}
