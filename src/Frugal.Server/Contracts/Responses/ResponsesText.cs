namespace Frugal.Server.Contracts.Responses;

/// <summary>A response's <c>text</c> settings: its output format.</summary>
public sealed record ResponsesText(ResponsesTextFormat? Format);
