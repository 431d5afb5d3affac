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
/// <para>
/// With a decode step of the file itself measured here (<see cref="StepSeconds"/>) the predictions start from it: the
/// step is the file's matrices at the rates plus a rest (attention, norms, the activations' quantization, the graph) the
/// same in every quantization of the model, which weighs more in a faster file. A step shorter than its matrices at the
/// rates means the rates understate the kernels inside the model (measured here: by up to 8 % for Q8_0); every type's
/// time is then scaled by that same factor and the rest is nothing.
/// </para>
/// </summary>
/// <param name="Current">The file as it is.</param>
/// <param name="Faster">The candidates that qualify, largest first.</param>
/// <param name="Considered">Every candidate smaller than the file, largest first, each with its predicted speed-up.</param>
/// <param name="Rates">The measured rates (bytes per second by type), or null when the advice is from bytes alone.</param>
/// <param name="StepSeconds">One decode step of the file measured here, or null when not measured (the matrices alone count).</param>
public sealed record QuantizationAdvice(QuantizationFootprint Current, IReadOnlyList<QuantizationFootprint> Faster,
                                        IReadOnlyList<QuantizationFootprint> Considered, IReadOnlyDictionary<GgmlType, double>? Rates,
                                        double? StepSeconds = null)
{
    /// <summary>The least predicted speed-up that counts as measurably faster.</summary>
    public const double MinSpeedup = 1.25;

    /// <summary>The schemes considered, largest first (F16/F32 are never smaller than a quantized file).</summary>
    private static readonly ModelQuantization[] Candidates =
        [ModelQuantization.Q8_0, ModelQuantization.Q6_K, ModelQuantization.Q5_K_M, ModelQuantization.Q4_K_M];

    /// <summary>The matrix types whose rates <see cref="For(GgufFile, IReadOnlyDictionary{GgmlType, double}, double?)"/> needs for <paramref name="file"/>.</summary>
    public static IReadOnlySet<GgmlType> TypesToMeasure(GgufFile file) =>
        Candidates.Select(q => QuantizationFootprint.As(file, q)).Append(QuantizationFootprint.Of(file)).OfType<QuantizationFootprint>()
            .SelectMany(f => f.BytesPerTokenByType.Keys).ToHashSet();

    /// <summary>The advice for <paramref name="file"/> from bytes per token alone, on a CPU with or without AVX2.</summary>
    public static QuantizationAdvice For(GgufFile file, bool avx2)
    {
        var current = QuantizationFootprint.Of(file);
        var smaller = Smaller(file, current);
        return new QuantizationAdvice(current, avx2 ? [.. smaller.Where(f => (double)current.BytesPerToken / f.BytesPerToken >= MinSpeedup)] : [], smaller, null);
    }

    /// <summary>
    /// The advice for <paramref name="file"/> from the rates measured on this machine and, when measured,
    /// <paramref name="stepSeconds"/>, one decode step of the file here.
    /// </summary>
    public static QuantizationAdvice For(GgufFile file, IReadOnlyDictionary<GgmlType, double> rates, double? stepSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var current = QuantizationFootprint.Of(file);
        var step = stepSeconds is { } s && s > 0 && double.IsFinite(s) && Matrices(current, rates) is not null ? s : (double?)null;
        var advice = new QuantizationAdvice(current, [], [], rates, step);
        var rated = Smaller(file, current).Where(f => advice.SecondsPerToken(f) is not null).ToList();
        return advice with { Faster = [.. rated.Where(f => advice.Speedup(f) >= MinSpeedup)], Considered = rated };
    }

    /// <summary>Decode speed of <paramref name="candidate"/> relative to the current file (measured rates, else bytes per token).</summary>
    public double Speedup(QuantizationFootprint candidate) =>
        Rates is null ? (double)Current.BytesPerToken / candidate.BytesPerToken
        : SecondsPerToken(Current) is { } now && SecondsPerToken(candidate) is { } then && then > 0 ? now / then : double.NaN;

    /// <summary>Memory the mapped weights of <paramref name="candidate"/> leave free compared with the current file.</summary>
    public long FreedBytes(QuantizationFootprint candidate) => Current.TensorBytes - candidate.TensorBytes;

    /// <summary>
    /// Seconds one decoded token of <paramref name="footprint"/> takes by the measurements: its matrices at the rates, or
    /// with a measured step, the rest of the token plus its matrices scaled as the step says (the current file's is the
    /// step itself); null without rates or with one missing.
    /// </summary>
    public double? SecondsPerToken(QuantizationFootprint footprint)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        if (Rates is null || Matrices(footprint, Rates) is not { } matrices)
        {
            return null;
        }

        if (StepSeconds is not { } step || Matrices(Current, Rates) is not { } current)
        {
            return matrices;
        }

        return step >= current ? step - current + matrices : matrices * (step / current);
    }

    /// <summary>Seconds of a measured step beyond the file's matrices at the rates (0 when the rates understate the kernels); null without a step.</summary>
    public double? RestSeconds => StepSeconds is { } step && Rates is not null && Matrices(Current, Rates) is { } current ? Math.Max(0, step - current) : null;

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
            line += StepSeconds is { } step
                ? string.Create(c, $"; a decode step measured here takes {step * 1000:F1} ms, {RestSeconds * 1000:F1} of them beyond the matrices at these rates (attention, norms, the graph), so decoding runs at {fileType} {1 / step:F1} tokens/s")
                : string.Create(c, $", so the matrices allow {fileType} {1 / SecondsPerToken(Current):F1} tokens/s");
            line += string.Concat(Considered.Select(f => string.Create(c, $", {f.Quantization} {1 / SecondsPerToken(f):F1}")));
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

    private static double? Matrices(QuantizationFootprint footprint, IReadOnlyDictionary<GgmlType, double> rates)
    {
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
