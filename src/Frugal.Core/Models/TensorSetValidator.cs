namespace Frugal.Models;

/// <summary>
/// Checks a model's tensors against the set its architecture's llama.cpp loader asks for: every required tensor
/// present, none it would not use (llama.cpp refuses a file with tensors left over), each of the shape the
/// hyper-parameters give, and of a type llama.cpp can compute with in its role (a norm in a quantized type, or a
/// matrix in a type without a CPU dot product, passes llama.cpp's load and ends the process at the first token).
/// Architectures without a known set (<see cref="ExpectedTensors"/>) are left to the generic checks.
/// </summary>
internal static class TensorSetValidator
{
    private static readonly HashSet<GgmlType> MatrixTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
        GgmlType.IQ3_XXS, GgmlType.IQ1_S, GgmlType.IQ4_NL, GgmlType.IQ3_S, GgmlType.IQ2_S, GgmlType.IQ4_XS, GgmlType.IQ1_M,
        GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.MXFP4,
    ];

    public static void Validate(GgufFile file, string arch, int embedding, int blocks, int vocabulary)
    {
        if (ExpectedTensors.For(file, arch, embedding, blocks, vocabulary) is not { } expected)
        {
            return;
        }

        var present = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var want in expected)
        {
            names.Add(want.Name);
            if (!present.TryGetValue(want.Name, out var tensor))
            {
                if (want.Required)
                {
                    throw new ModelFileException(file.Path, $"missing tensor '{want.Name}': a {arch} model needs it");
                }

                continue;
            }

            CheckShape(file, arch, tensor, want);
            CheckType(file, tensor, want.Role);
        }

        if (file.Tensors.FirstOrDefault(t => !names.Contains(t.Name)) is { } extra)
        {
            throw new ModelFileException(file.Path, $"tensor '{extra.Name}' is not part of a {arch} model of {blocks} layers (llama.cpp refuses tensors it does not use)");
        }
    }

    // ggml compares the dimensions it asks for and wants the rest to be 1.
    private static void CheckShape(GgufFile file, string arch, GgufTensorInfo tensor, ExpectedTensor want)
    {
        var dims = Math.Max(tensor.Dimensions.Count, want.Shape.Length);
        for (var d = 0; d < dims; d++)
        {
            var got = d < tensor.Dimensions.Count ? tensor.Dimensions[d] : 1;
            var needed = d < want.Shape.Length ? want.Shape[d] : 1;
            if (got != needed)
            {
                throw new ModelFileException(file.Path,
                    $"tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Dimensions)}]; a {arch} model of these hyper-parameters needs [{string.Join(", ", want.Shape)}]");
            }
        }
    }

    private static void CheckType(GgufFile file, GgufTensorInfo tensor, TensorRole role)
    {
        var problem = role switch
        {
            TensorRole.Matrix when !MatrixTypes.Contains(tensor.Type) => "llama.cpp has no matrix product for that type on the CPU",
            TensorRole.Vector when tensor.Type is not (GgmlType.F32 or GgmlType.F16) => "a norm or bias must be F32 or F16 to be applied to F32 activations",
            TensorRole.RopeFactors when tensor.Type != GgmlType.F32 => "RoPE factors must be F32",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ModelFileException(file.Path, $"tensor '{tensor.Name}' is {tensor.Type}: {problem} (llama.cpp accepts it at load and aborts the process when it first computes with it)");
        }
    }
}
