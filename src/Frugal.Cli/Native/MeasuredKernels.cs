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
/// not match (a second or two before the model loads), doctor every time.
/// </summary>
internal static class MeasuredKernels
{
    /// <summary>The record's file name under the data directory's <c>native</c> folder.</summary>
    public const string RecordFile = "kernel-rates";

    /// <summary>How long each type is measured for with a matrix of <see cref="KernelRates.DefaultMatrixBytes"/> (a smaller one, in proportion).</summary>
    public static readonly TimeSpan TimePerType = TimeSpan.FromSeconds(0.3);

    /// <summary>
    /// The advice for <paramref name="file"/>, from rates measured with <paramref name="nativeLibrary"/> on
    /// <paramref name="cpu"/>'s compute threads (reused from the record unless <paramref name="remeasure"/>); from bytes
    /// per token alone, with the reason in <paramref name="unmeasured"/>, when the library cannot measure here. Each
    /// matrix is as large as the weights one token of the file reads, up to <paramref name="matrixBytes"/>: a model small
    /// enough to stay in the caches is measured in them.
    /// </summary>
    public static QuantizationAdvice Advise(GgufFile file, string? nativeLibrary, string dataDirectory, CpuSnapshot cpu, bool remeasure,
                                            out string? unmeasured, long matrixBytes = KernelRates.DefaultMatrixBytes)
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

        try
        {
            var bytes = Math.Min(matrixBytes, QuantizationFootprint.Of(file).BytesPerToken);
            var rates = Rates(nativeLibrary, dataDirectory, cpu, types, rowLength.Value, remeasure, bytes);
            return QuantizationAdvice.For(file, rates);
        }
        catch (InvalidOperationException e)
        {
            unmeasured = e.Message;
            return QuantizationAdvice.For(file, cpu.HasAvx2);
        }
    }

    /// <summary>The row length most of the file's matrices have (the model's width), or null without matrices.</summary>
    internal static int? RowLength(GgufFile file) =>
        file.Tensors.Where(t => t.Dimensions.Count >= 2 && t.Dimensions[0] is > 0 and <= int.MaxValue)
            .GroupBy(t => (int)t.Dimensions[0]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (int?)g.Key).FirstOrDefault();

    private static Dictionary<GgmlType, double> Rates(string? nativeLibrary, string dataDirectory, CpuSnapshot cpu, IReadOnlySet<GgmlType> types,
                                                      int rowLength, bool remeasure, long matrixBytes)
    {
        var threads = cpu.ComputeThreads;
        var path = Path.Combine(dataDirectory, "native", RecordFile);
        // The library loads (as the engine will load it) before the record is read: its file is part of the key.
        KernelRates.Load(nativeLibrary);
        var key = Key(NativeLibrarySelection.LoadedCpuBackend(), cpu, threads, rowLength, matrixBytes);
        if (!remeasure && Read(path, key) is { } recorded && types.All(recorded.ContainsKey))
        {
            return recorded;
        }

        var measured = KernelRates.Measure(nativeLibrary, types, rowLength, threads, TimePerType * ((double)matrixBytes / KernelRates.DefaultMatrixBytes), matrixBytes);
        var rates = measured.BytesPerSecond.ToDictionary();
        Write(path, key, rates);
        return rates;
    }

    private static string Key(string? backend, CpuSnapshot cpu, int threads, int rowLength, long matrixBytes)
    {
        var file = backend is not null && File.Exists(backend) ? new FileInfo(backend) : null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{backend ?? "unknown"}|{file?.Length}|{file?.LastWriteTimeUtc.Ticks}|{cpu.ModelName}|{threads} threads|rows of {rowLength}|{matrixBytes} bytes");
    }

    private static Dictionary<GgmlType, double>? Read(string path, string key)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length == 0 || lines[0] != "key " + key)
            {
                return null;
            }

            var rates = new Dictionary<GgmlType, double>();
            foreach (var line in lines.Skip(1))
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Best effort: a data directory that cannot be written to only means measuring again next time.
    private static void Write(string path, string key, Dictionary<GgmlType, double> rates)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + $".{Guid.NewGuid():N}";
            File.WriteAllLines(temporary, rates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value:R}")).Prepend("key " + key));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
