namespace Frugal.Server.Contracts;

/// <summary>Every error answer of the server: <c>{"error": {"message", "type", "param", "code"}}</c> (OpenAI's shape).</summary>
public sealed record ErrorResponse(ErrorDetail Error);
