namespace Frugal.Server.Endpoints;

/// <summary>Endpoint metadata: the <see cref="ErrorDialect"/> the endpoint's errors are written in.</summary>
public sealed record ErrorDialectMetadata(ErrorDialect Dialect);
