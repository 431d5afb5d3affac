using System.Globalization;
using System.Text.RegularExpressions;

namespace Frugal.Models;

/// <summary>
/// What a model's weights weigh in one quantization: the tensor bytes (≈ the file and the mapped memory) and the
/// bytes one decoded token reads (every weight matrix, one row of the token embedding), which is what bounds decode
/// speed on a CPU whose memory bandwidth is the limit.
/// </summary>
/// <param name="Quantization">The scheme, or null for the file as it is.</param>
/// <param name="TensorBytes">Bytes of all tensors.</param>
/// <param name="BytesPerToken">Weight bytes one decoded token reads.</param>
/// <param name="BytesPerTokenByType">The matrices' part of those bytes (vectors such as norms left out), by type.</param>
public sealed partial record QuantizationFootprint(ModelQuantization? Quantization, long TensorBytes, long BytesPerToken,
                                                   IReadOnlyDictionary<GgmlType, long> BytesPerTokenByType)
{
    /// <summary>The file's own footprint, from its tensors as they are.</summary>
    public static QuantizationFootprint Of(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Sum(file, null, t => (t.Type, t.ByteSize));
    }

    /// <summary>
    /// The footprint of the same tensors in <paramref name="quantization"/>, each weight matrix in the type llama.cpp's
    /// quantizer gives it (<see cref="ModelQuantization"/>); vectors (norms) keep their type. Null when a matrix cannot
    /// be laid out in that scheme.
    /// </summary>
    public static QuantizationFootprint? As(GgufFile file, ModelQuantization quantization)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(quantization);
        var layers = file.Tensors.Select(t => Layer(t.Name)).Where(l => l >= 0).DefaultIfEmpty(-1).Max() + 1;
        var failed = false;
        var footprint = Sum(file, quantization, t =>
        {
            if (t.Dimensions.Count < 2)
            {
                return (t.Type, t.ByteSize);
            }

            var type = quantization.TypeOf(Role(t.Name), Math.Max(Layer(t.Name), 0), Math.Max(layers, 1), t.Dimensions[0]);
            var bytes = GgmlTypeInfo.ByteSize(type, t.ElementCount);
            failed |= bytes is null;
            return (type, bytes ?? 0);
        });
        return failed ? null : footprint;
    }

    private static QuantizationFootprint Sum(GgufFile file, ModelQuantization? quantization, Func<GgufTensorInfo, (GgmlType Type, long Bytes)> bytesOf)
    {
        long total = 0, perToken = 0;
        var byType = new Dictionary<GgmlType, long>();
        foreach (var tensor in file.Tensors)
        {
            var (type, bytes) = bytesOf(tensor);
            total += bytes;
            var read = Role(tensor.Name) == WeightRole.TokenEmbedding && tensor.Dimensions.Count >= 2
                ? bytes / Math.Max(tensor.Dimensions[^1], 1)
                : bytes;
            perToken += read;
            if (tensor.Dimensions.Count >= 2)
            {
                byType[type] = byType.GetValueOrDefault(type) + read;
            }
        }

        return new QuantizationFootprint(quantization, total, perToken, byType);
    }

    private static WeightRole Role(string name) => name switch
    {
        "token_embd.weight" => WeightRole.TokenEmbedding,
        "output.weight" => WeightRole.Output,
        _ when name.EndsWith(".attn_v.weight", StringComparison.Ordinal) => WeightRole.AttentionValue,
        _ when name.EndsWith(".ffn_down.weight", StringComparison.Ordinal) => WeightRole.FeedForwardDown,
        _ => WeightRole.Other,
    };

    private static int Layer(string name) =>
        BlockName().Match(name) is { Success: true } m && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var layer)
            ? layer
            : -1;

    [GeneratedRegex(@"^blk\.(\d{1,6})\.")]
    private static partial Regex BlockName();
}
