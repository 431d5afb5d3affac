namespace Frugal.Server.Contracts;

/// <summary>The answer of <c>GET /ready</c> (and of <c>/health</c>, with status "ok").</summary>
/// <param name="Status">"ok" (health), "ready", "loading", "failed" or "draining" (memory pressure critical).</param>
/// <param name="Reason">Why loading failed; null otherwise.</param>
public sealed record ReadinessStatus(string Status, string? Reason = null);
