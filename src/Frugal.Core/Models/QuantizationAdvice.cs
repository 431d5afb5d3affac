using System.Globalization;

namespace Frugal.Models;

/// <summary>
/// Whether a smaller quantization of the same model would decode measurably faster here. With the rates at which this
/// machine's CPU backend multiplies a matrix of each type by a column (measured, bytes per second), a file's decode
/// time is each type's bytes per token over its rate; without them, decoding is taken as bound by the bytes each token
/// reads (memory bandwidth), which holds only where the arithmetic keeps up — on some cores a 4-bit type is not
/// faster than Q8_0 at all. A candidate counts when it is at least <see cref="MinSpeedup"/> times faster (beyond the
/// ±25 % that single runs swing on a shared machine); without measured rates, only on a CPU with AVX2 (without it the
/// packaged builds are bound by arithmetic, not memory).
/// </summary>
/// <param name="Current">The file as it is.</param>
/// <param name="Faster">The candidates that qualify, largest first.</param>
/// <param name="Considered">Every candidate smaller than the file, largest first, each with its predicted speed-up.</param>
/// <param name="Rates">The measured rates (bytes per second by type), or null when the advice is from bytes alone.</param>
public sealed record QuantizationAdvice(QuantizationFootprint Current, IReadOnlyList<QuantizationFootprint> Faster,
                                        IReadOnlyList<QuantizationFootprint> Considered, IReadOnlyDictionary<GgmlType, double>? Rates)
{
    /// <summary>The least predicted speed-up that counts as measurably faster.</summary>
    public const double MinSpeedup = 1.25;

    /// <summary>The schemes considered, largest first (F16/F32 are never smaller than a quantized file).</summary>
    private static readonly ModelQuantization[] Candidates =
        [ModelQuantization.Q8_0, ModelQuantization.Q6_K, ModelQuantization.Q5_K_M, ModelQuantization.Q4_K_M];

    /// <summary>The matrix types whose rates <see cref="For(GgufFile, IReadOnlyDictionary{GgmlType, double})"/> needs for <paramref name="file"/>.</summary>
    public static IReadOnlySet<GgmlType> TypesToMeasure(GgufFile file) =>
        Candidates.Select(q => QuantizationFootprint.As(file, q)).Append(QuantizationFootprint.Of(file)).OfType<QuantizationFootprint>()
            .SelectMany(f => f.BytesPerTokenByType.Keys).ToHashSet();

    /// <summary>The advice for <paramref name="file"/> from bytes per token alone, on a CPU with or without AVX2.</summary>
    public static QuantizationAdvice For(GgufFile file, bool avx2)
    {
        var current = QuantizationFootprint.Of(file);
        var smaller = Smaller(file, current);
        return new QuantizationAdvice(current, avx2 ? [.. smaller.Where(f => Ratio(current, f, null) >= MinSpeedup)] : [], smaller, null);
    }

    /// <summary>The advice for <paramref name="file"/> from the rates measured on this machine.</summary>
    public static QuantizationAdvice For(GgufFile file, IReadOnlyDictionary<GgmlType, double> rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var current = QuantizationFootprint.Of(file);
        var rated = Smaller(file, current).Select(f => (Footprint: f, Ratio: Ratio(current, f, rates))).Where(c => c.Ratio is not null).ToList();
        return new QuantizationAdvice(current, [.. rated.Where(c => c.Ratio >= MinSpeedup).Select(c => c.Footprint)], [.. rated.Select(c => c.Footprint)], rates);
    }

    /// <summary>Decode speed of <paramref name="candidate"/> relative to the current file (measured rates, else bytes per token).</summary>
    public double Speedup(QuantizationFootprint candidate) => Ratio(Current, candidate, Rates) ?? double.NaN;

    /// <summary>Memory the mapped weights of <paramref name="candidate"/> leave free compared with the current file.</summary>
    public long FreedBytes(QuantizationFootprint candidate) => Current.TensorBytes - candidate.TensorBytes;

    /// <summary>Seconds the matrices of one decoded token take at the measured rates; null without them or a rate missing.</summary>
    public double? SecondsPerToken(QuantizationFootprint footprint) => Seconds(footprint, Rates);

    /// <summary>
    /// One line with the figures: bytes per token, and with <paramref name="readBytesPerSecond"/> (one core's measured
    /// read bandwidth) the tokens/s each allows; with measured rates, each type's rate and the tokens/s its matrices
    /// allow; then each faster candidate's speed-up and the memory it frees.
    /// </summary>
    public string Describe(string fileType, double? readBytesPerSecond)
    {
        var c = CultureInfo.InvariantCulture;
        var line = string.Create(c, $"{fileType} reads {Current.BytesPerToken / 1048576.0:F0} MiB of weights per token");
        if (readBytesPerSecond is { } bandwidth)
        {
            line += string.Create(c, $"; at this core's {bandwidth / 1e9:F2} GB/s that is at most {bandwidth / Current.BytesPerToken:F1} tokens/s");
        }

        if (Rates is not null)
        {
            line += "; measured here, a matrix times a column: " + string.Join(", ", Rates.OrderByDescending(r => GgmlTypeInfo.TypeSize(r.Key) / (double)GgmlTypeInfo.BlockSize(r.Key))
                .Select(r => string.Create(c, $"{r.Key} {r.Value / 1e9:F1} GB/s")));
            line += string.Create(c, $", so the matrices allow {fileType} {1 / SecondsPerToken(Current):F1} tokens/s")
                + string.Concat(Considered.Select(f => string.Create(c, $", {f.Quantization} {1 / SecondsPerToken(f):F1}")));
        }

        var basis = Rates is null ? "reads" : "is measured";
        if (Faster.Count == 0)
        {
            return line + string.Create(c, $"; no smaller quantization {basis} {MinSpeedup:0.##}x faster here");
        }

        return line + "; smaller quantizations of the same model would decode faster: " + string.Join(", ", Faster.Select(f =>
            string.Create(c, $"{f.Quantization} {Speedup(f):F2}x") +
            (Rates is null && readBytesPerSecond is { } b ? string.Create(c, $" (at most {b / f.BytesPerToken:F1} tokens/s)") : "") +
            string.Create(c, $", {FreedBytes(f) / 1048576.0:F0} MiB less mapped")));
    }

    private static List<QuantizationFootprint> Smaller(GgufFile file, QuantizationFootprint current) =>
        [.. Candidates.Select(q => QuantizationFootprint.As(file, q)).OfType<QuantizationFootprint>().Where(f => f.BytesPerToken < current.BytesPerToken)];

    private static double? Ratio(QuantizationFootprint current, QuantizationFootprint candidate, IReadOnlyDictionary<GgmlType, double>? rates) =>
        rates is null
            ? (double)current.BytesPerToken / candidate.BytesPerToken
            : Seconds(current, rates) is { } now && Seconds(candidate, rates) is { } then && then > 0 ? now / then : null;

    private static double? Seconds(QuantizationFootprint footprint, IReadOnlyDictionary<GgmlType, double>? rates)
    {
        if (rates is null)
        {
            return null;
        }

        var seconds = 0.0;
        foreach (var (type, bytes) in footprint.BytesPerTokenByType)
        {
            if (!rates.TryGetValue(type, out var rate) || rate <= 0)
            {
                return null;
            }

            seconds += bytes / rate;
        }

        return seconds;
    }
}
