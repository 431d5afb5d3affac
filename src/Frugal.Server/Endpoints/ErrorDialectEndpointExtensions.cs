using Microsoft.AspNetCore.Builder;

namespace Frugal.Server.Endpoints;

/// <summary>Declares an endpoint's <see cref="ErrorDialect"/>.</summary>
public static class ErrorDialectEndpointExtensions
{
    /// <summary>The endpoint's errors are written in <paramref name="dialect"/>.</summary>
    public static TBuilder WithErrorDialect<TBuilder>(this TBuilder builder, ErrorDialect dialect)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ErrorDialectMetadata(dialect));
    }
}
