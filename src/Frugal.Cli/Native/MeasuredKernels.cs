using System.Globalization;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Cli.Native;

/// <summary>
/// The quantization advice of <c>frugal doctor --model</c> and <c>frugal serve</c> from rates measured on this box
/// (<see cref="KernelRates"/>): the CPU backend the engine loads multiplies a matrix of each type the file or a smaller
/// quantization of it would use by a column. The rates are kept in <c>DATA/native/</c><see cref="RecordFile"/> for the
/// backend file, CPU, thread count and row length they were measured with; serve measures only when that record does
/// not match (a second or two before the model loads), doctor every time. So is one decode step of the model itself
/// (<see cref="DecodeStepProbe"/>, kept in <see cref="StepRecordFile"/> for the backend, CPU, threads and model file):
/// what a token costs beyond its matrices, which every prediction adds.
/// </summary>
internal static class MeasuredKernels
{
    /// <summary>The record's file name under the data directory's <c>native</c> folder.</summary>
    public const string RecordFile = "kernel-rates";

    /// <summary>The decode step's record, beside <see cref="RecordFile"/>.</summary>
    public const string StepRecordFile = "decode-step";

    /// <summary>How long each type is measured for with a matrix of <see cref="KernelRates.DefaultMatrixBytes"/> (a smaller one, in proportion).</summary>
    public static readonly TimeSpan TimePerType = TimeSpan.FromSeconds(0.3);

    /// <summary>
    /// The advice for <paramref name="file"/>, from rates measured with <paramref name="nativeLibrary"/> on
    /// <paramref name="cpu"/>'s compute threads (reused from the record unless <paramref name="remeasure"/>); from bytes
    /// per token alone, with the reason in <paramref name="unmeasured"/>, when the library cannot measure here. Each
    /// matrix is as large as the weights one token of the file reads, up to <paramref name="matrixBytes"/>: a model small
    /// enough to stay in the caches is measured in them. A type a 4-bit file of it would be repacked for under
    /// <paramref name="engine"/>'s repacking setting (auto: <see cref="EngineOptions.RepacksByDefault"/> with the loaded
    /// backend's kernels) is measured repacked, as the engine would compute it. The decode step is measured with
    /// <paramref name="engine"/>'s load settings (repacking, flash attention; default: <c>auto</c> as serve's) on the same
    /// threads.
    /// </summary>
    public static QuantizationAdvice Advise(GgufFile file, string? nativeLibrary, string dataDirectory, CpuSnapshot cpu, bool remeasure,
                                            out string? unmeasured, long matrixBytes = KernelRates.DefaultMatrixBytes, EngineOptions? engine = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(cpu);
        unmeasured = null;
        var rowLength = RowLength(file);
        var types = QuantizationAdvice.TypesToMeasure(file);
        if (rowLength is null)
        {
            unmeasured = "the file has no weight matrices to measure";
            return QuantizationAdvice.For(file, cpu.HasAvx2);
        }

        engine ??= new EngineOptions { ModelPath = file.Path, NativeLibrary = nativeLibrary };
        Dictionary<GgmlType, double> rates;
        string key;
        try
        {
            var bytes = Math.Min(matrixBytes, QuantizationFootprint.Of(file).BytesPerToken);
            (rates, key) = Rates(nativeLibrary, dataDirectory, cpu, types, rowLength.Value, remeasure, bytes, engine.RepackWeights);
        }
        catch (InvalidOperationException e)
        {
            unmeasured = e.Message;
            return QuantizationAdvice.For(file, cpu.HasAvx2);
        }

        return QuantizationAdvice.For(file, rates, Step(engine, dataDirectory, key, cpu.ComputeThreads, remeasure));
    }

    internal static int? RowLength(GgufFile file) =>
        file.Tensors.Where(t => t.Dimensions.Count >= 2 && t.Dimensions[0] is > 0 and <= int.MaxValue)
            .GroupBy(t => (int)t.Dimensions[0]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (int?)g.Key).FirstOrDefault();

    /// <summary>
    /// Of <paramref name="types"/>, those llama.cpp repacks that a 4-bit file holding them would be loaded repacked
    /// for: every one with <paramref name="repackWeights"/> true, none with false, and with null (auto) as
    /// <see cref="EngineOptions.RepacksByDefault"/> decides with the loaded backend's kernels (a Q4_0 file for Q4_0, a
    /// Q4_K_M file for Q4_K).
    /// </summary>
    internal static IReadOnlySet<GgmlType> RepackedTypes(IReadOnlySet<GgmlType> types, bool? repackWeights)
    {
        var kernels = FrugalCpuKernels.Current();
        return types.Where(t => RepackedWeights.LlamaCppTypes.Contains(t) && (repackWeights ?? EngineOptions.RepacksByDefault(
            t == GgmlType.Q4_K ? "Q4_K_M" : t.ToString(), new HashSet<GgmlType> { t }, () => kernels))).ToHashSet();
    }

    // The rates, and the record's key they were measured under.
    private static (Dictionary<GgmlType, double> Rates, string Key) Rates(string? nativeLibrary, string dataDirectory, CpuSnapshot cpu,
                                                                        IReadOnlySet<GgmlType> types, int rowLength, bool remeasure, long matrixBytes,
                                                                        bool? repackWeights)
    {
        var threads = cpu.ComputeThreads;
        var path = Path.Combine(dataDirectory, "native", RecordFile);
        // The library loads (as the engine will load it) before the record is read: its file is part of the key, and its
        // kernels decide which types are measured repacked.
        KernelRates.Load(nativeLibrary);
        var repacked = RepackedTypes(types, repackWeights);
        var key = Key(NativeLibrarySelection.LoadedCpuBackend(), cpu, threads, rowLength, matrixBytes)
                  + "|repacked " + (repacked.Count == 0 ? "none" : string.Join(",", repacked.Order()));
        if (!remeasure && ReadRates(path, key) is { } recorded && types.All(recorded.ContainsKey))
        {
            return (recorded, key);
        }

        var measured = KernelRates.Measure(nativeLibrary, types, rowLength, threads, TimePerType * ((double)matrixBytes / KernelRates.DefaultMatrixBytes), matrixBytes,
            repacked);
        var rates = measured.BytesPerSecond.ToDictionary();
        Write(path, key, rates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value:R}")));
        return (rates, key);
    }

    /// <summary>
    /// Seconds of one decode step of <paramref name="engine"/>'s model (recorded under the rates' key and the model file,
    /// else measured and recorded); null when the model cannot be loaded to measure it (the advice then counts matrices only).
    /// </summary>
    private static double? Step(EngineOptions engine, string dataDirectory, string ratesKey, int threads, bool remeasure)
    {
        var path = Path.Combine(dataDirectory, "native", StepRecordFile);
        var model = new FileInfo(engine.ModelPath);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{ratesKey}|model {model.FullName}|{model.Length}|{model.LastWriteTimeUtc.Ticks}|repack {engine.RepackWeights?.ToString() ?? "auto"}");
        if (!remeasure && Read(path, key) is [var line] && double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out var recorded)
            && recorded > 0 && double.IsFinite(recorded))
        {
            return recorded;
        }

        try
        {
            var seconds = DecodeStepProbe.Measure(engine, threads).TotalSeconds;
            Write(path, key, [seconds.ToString("R", CultureInfo.InvariantCulture)]);
            return seconds;
        }
        catch (Exception e) when (e is ModelFileException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Key(string? backend, CpuSnapshot cpu, int threads, int rowLength, long matrixBytes)
    {
        var file = backend is not null && File.Exists(backend) ? new FileInfo(backend) : null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{backend ?? "unknown"}|{file?.Length}|{file?.LastWriteTimeUtc.Ticks}|{cpu.ModelName}|{threads} threads|square matrices of {rowLength}|{matrixBytes} bytes");
    }

    private static Dictionary<GgmlType, double>? ReadRates(string path, string key)
    {
        if (Read(path, key) is not { } lines)
        {
            return null;
        }

        var rates = new Dictionary<GgmlType, double>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || !Enum.TryParse<GgmlType>(parts[0], out var type)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate > 0) || double.IsInfinity(rate))
            {
                return null;
            }

            rates[type] = rate;
        }

        return rates;
    }

    // The lines after a record's key line when it is <paramref name="key"/>; null for another key or no readable record.
    private static string[]? Read(string path, string key)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return lines.Length == 0 || lines[0] != "key " + key ? null : lines[1..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Best effort: a data directory that cannot be written to only means measuring again next time.
    private static void Write(string path, string key, IEnumerable<string> lines)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + $".{Guid.NewGuid():N}";
            File.WriteAllLines(temporary, lines.Prepend("key " + key));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
