namespace Frugal.Bench;

/// <summary>A decode speed per wall-clock second and per second of the decoding thread's CPU time.</summary>
/// <param name="TokensPerSecond">Tokens per wall-clock second.</param>
/// <param name="TokensPerCpuSecond">
/// Tokens per CPU second of the one thread that decoded (<see cref="ThreadCpuClock"/>); NaN when more threads decoded
/// or the platform has no thread clock.
/// </param>
public readonly record struct DecodeRate(double TokensPerSecond, double TokensPerCpuSecond);
