using System.Runtime.InteropServices;

namespace Frugal.Models;

/// <summary>
/// Tensor fills for synthesized models: finite, small-magnitude random weights with a standard deviation
/// of about 1/sqrt(fan-in), so activations neither vanish nor blow up and generation picks varied tokens.
/// </summary>
internal static class RandomWeights
{
    public static GgufTensorFill Create(GgmlType type, double deviation, ulong seed) => type switch
    {
        GgmlType.F16 => F16(deviation, seed),
        GgmlType.F32 => F32(deviation, seed),
        _ => BlockWeights.Create(type, deviation, seed),
    };

    /// <summary>All ones: the neutral weight of an RMS norm.</summary>
    public static GgufTensorFill Ones() => (destination, _) => MemoryMarshal.Cast<byte, float>(destination).Fill(1f);

    private static GgufTensorFill F16(double deviation, ulong seed)
    {
        var random = new WeightRandom(seed);
        var table = UniformTable(deviation, v => BitConverter.HalfToUInt16Bits((Half)v));
        return (destination, _) =>
        {
            random.Fill(destination);
            var values = MemoryMarshal.Cast<byte, ushort>(destination);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = table[values[i]];
            }
        };
    }

    private static GgufTensorFill F32(double deviation, ulong seed)
    {
        var random = new WeightRandom(seed);
        var table = UniformTable(deviation, v => (float)v);
        return (destination, _) =>
        {
            var values = MemoryMarshal.Cast<byte, float>(destination);
            for (var i = 0; i < values.Length; i += 4)
            {
                var bits = random.Next();
                for (var k = 0; k < 4 && i + k < values.Length; k++)
                {
                    values[i + k] = table[(ushort)(bits >> (16 * k))];
                }
            }
        };
    }

    /// <summary>65,536 values uniform over ±sqrt(3)·deviation, indexed by 16 random bits.</summary>
    private static T[] UniformTable<T>(double deviation, Func<double, T> convert)
    {
        var half = Math.Sqrt(3) * deviation;
        var table = new T[65536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = convert(((i + 0.5) / table.Length * 2 - 1) * half);
        }

        return table;
    }
}
