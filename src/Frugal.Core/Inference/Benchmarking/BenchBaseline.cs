namespace Frugal.Inference.Benchmarking;

/// <summary>Plain LLamaSharp's figures in the same run.</summary>
public sealed record BenchBaseline(double LoadMs, double PromptTokensPerSecond, double DecodeTokensPerSecond);
