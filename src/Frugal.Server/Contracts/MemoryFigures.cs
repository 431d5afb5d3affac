namespace Frugal.Server.Contracts;

/// <summary>Memory figures in bytes for <c>/status</c>; null when the system does not report one.</summary>
public sealed record MemoryFigures(long? LimitBytes, long? UsedBytes, long? AvailableBytes, long? ProcessRssBytes);
