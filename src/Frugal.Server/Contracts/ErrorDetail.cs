namespace Frugal.Server.Contracts;

/// <summary>The inside of an OpenAI-style error: <c>{"message", "type", "param", "code"}</c>; param and code are written as null when absent.</summary>
public sealed record ErrorDetail(string Message, string Type, string? Param, string? Code);
