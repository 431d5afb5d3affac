using System.Globalization;

namespace Frugal.Models;

/// <summary>
/// Whether a smaller quantization of the same model would decode measurably faster here, from what decoding on a CPU
/// is bound by: the weight bytes each token reads, over the memory bandwidth of one core. A candidate counts when it
/// reads at least <see cref="MinSpeedup"/> times fewer bytes per token (beyond the ±25 % that single runs swing on a
/// shared machine) and the CPU has AVX2 (without it the packaged builds are bound by arithmetic, not memory).
/// </summary>
/// <param name="Current">The file as it is.</param>
/// <param name="Faster">The candidates that qualify, largest first.</param>
public sealed record QuantizationAdvice(QuantizationFootprint Current, IReadOnlyList<QuantizationFootprint> Faster)
{
    /// <summary>The least ratio of bytes per token that counts as measurably faster.</summary>
    public const double MinSpeedup = 1.25;

    /// <summary>The schemes considered, largest first (F16/F32 are never smaller than a quantized file).</summary>
    private static readonly ModelQuantization[] Candidates =
        [ModelQuantization.Q8_0, ModelQuantization.Q6_K, ModelQuantization.Q5_K_M, ModelQuantization.Q4_K_M];

    /// <summary>The advice for <paramref name="file"/> on a CPU with or without AVX2.</summary>
    public static QuantizationAdvice For(GgufFile file, bool avx2)
    {
        var current = QuantizationFootprint.Of(file);
        if (!avx2)
        {
            return new QuantizationAdvice(current, []);
        }

        var faster = Candidates
            .Select(q => QuantizationFootprint.As(file, q))
            .OfType<QuantizationFootprint>()
            .Where(f => (double)current.BytesPerToken / f.BytesPerToken >= MinSpeedup)
            .ToList();
        return new QuantizationAdvice(current, faster);
    }

    /// <summary>Decode speed of <paramref name="candidate"/> relative to the current file, at the bandwidth limit.</summary>
    public double Speedup(QuantizationFootprint candidate) => (double)Current.BytesPerToken / candidate.BytesPerToken;

    /// <summary>Memory the mapped weights of <paramref name="candidate"/> leave free compared with the current file.</summary>
    public long FreedBytes(QuantizationFootprint candidate) => Current.TensorBytes - candidate.TensorBytes;

    /// <summary>
    /// One line with the figures: bytes per token, and with <paramref name="readBytesPerSecond"/> (one core's measured
    /// read bandwidth) the tokens/s each allows; then each faster candidate's speed-up and the memory it frees.
    /// </summary>
    public string Describe(string fileType, double? readBytesPerSecond)
    {
        var c = CultureInfo.InvariantCulture;
        var line = string.Create(c, $"{fileType} reads {Current.BytesPerToken / 1048576.0:F0} MiB of weights per token");
        if (readBytesPerSecond is { } bandwidth)
        {
            line += string.Create(c, $"; at this core's {bandwidth / 1e9:F2} GB/s that is at most {bandwidth / Current.BytesPerToken:F1} tokens/s");
        }

        if (Faster.Count == 0)
        {
            return line + string.Create(c, $"; no smaller quantization reads {MinSpeedup:0.##}x fewer bytes per token");
        }

        return line + "; smaller quantizations of the same model would decode faster: " + string.Join(", ", Faster.Select(f =>
            string.Create(c, $"{f.Quantization} {Speedup(f):F2}x") +
            (readBytesPerSecond is { } b ? string.Create(c, $" (at most {b / f.BytesPerToken:F1} tokens/s)") : "") +
            string.Create(c, $", {FreedBytes(f) / 1048576.0:F0} MiB less mapped")));
    }
}
