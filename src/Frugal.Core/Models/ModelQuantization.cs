namespace Frugal.Models;

/// <summary>
/// A model file type as llama.cpp's quantizer writes it: the type of most weight matrices and, for the mixed
/// <c>_M</c> types, which matrices it gives more bits, so a synthesized file costs what a real one of that type does.
/// </summary>
public sealed class ModelQuantization
{
    private const int SuperBlock = 256;

    private ModelQuantization(string name, GgmlType baseType, bool mixed)
    {
        Name = name;
        BaseType = baseType;
        Mixed = mixed;
    }

    /// <summary>Every weight matrix F32.</summary>
    public static ModelQuantization F32 { get; } = new("f32", GgmlType.F32, mixed: false);
    /// <summary>Every weight matrix F16.</summary>
    public static ModelQuantization F16 { get; } = new("f16", GgmlType.F16, mixed: false);
    /// <summary>Every weight matrix Q8_0 (TinyLlama's published Q8_0 file).</summary>
    public static ModelQuantization Q8_0 { get; } = new("q8_0", GgmlType.Q8_0, mixed: false);
    /// <summary>Q6_K throughout.</summary>
    public static ModelQuantization Q6_K { get; } = new("q6_k", GgmlType.Q6_K, mixed: false);
    /// <summary>Q5_K, with Q6_K for half the attention-value and feed-forward-down matrices and the output.</summary>
    public static ModelQuantization Q5_K_M { get; } = new("q5_k_m", GgmlType.Q5_K, mixed: true);
    /// <summary>Q4_K, with Q6_K for half the attention-value and feed-forward-down matrices and the output.</summary>
    public static ModelQuantization Q4_K_M { get; } = new("q4_k_m", GgmlType.Q4_K, mixed: true);
    /// <summary>Q4_0, with a Q6_K output matrix.</summary>
    public static ModelQuantization Q4_0 { get; } = new("q4_0", GgmlType.Q4_0, mixed: false);

    /// <summary>The names the command line accepts, each with its scheme.</summary>
    public static IReadOnlyList<ModelQuantization> Known { get; } = [F32, F16, Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0];

    /// <summary>The name the command line uses (<c>q4_k_m</c>).</summary>
    public string Name { get; }

    /// <summary>The type of most weight matrices.</summary>
    public GgmlType BaseType { get; }

    /// <summary>True for the <c>_M</c> mixes, which give some matrices Q6_K.</summary>
    public bool Mixed { get; }

    /// <summary>The <c>general.file_type</c> number llama.cpp writes for this scheme.</summary>
    public uint FileType => Name switch
    {
        "f32" => 0,
        "f16" => 1,
        "q4_0" => 2,
        "q8_0" => 7,
        "q4_k_m" => 15,
        "q5_k_m" => 17,
        _ => 18, // q6_k
    };

    /// <summary>The scheme called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelQuantization? FromName(string name) =>
        Known.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The file type as llama.cpp names it ("Q4_K_M").</summary>
    public override string ToString() => LlamaFileTypes.Name(FileType)!;

    /// <summary>
    /// The type of a weight matrix with <paramref name="inputs"/> columns in block <paramref name="layer"/> of
    /// <paramref name="layers"/>, by the rules llama.cpp's quantizer applies to a llama model with its own output matrix.
    /// </summary>
    internal GgmlType TypeOf(WeightRole role, int layer, int layers, long inputs)
    {
        if (BaseType is GgmlType.F32 or GgmlType.F16)
        {
            return BaseType;
        }

        var type = role switch
        {
            WeightRole.Output when BaseType == GgmlType.Q8_0 => GgmlType.Q8_0,
            WeightRole.Output => inputs % GgmlTypeInfo.BlockSize(BaseType) == 0 ? GgmlType.Q6_K : GgmlType.Q8_0,
            WeightRole.AttentionValue or WeightRole.FeedForwardDown when Mixed && MoreBits(layer, layers) => GgmlType.Q6_K,
            _ => BaseType,
        };
        return Fallback(type, inputs);
    }

    /// <summary>llama.cpp's pick of layers that get more bits: the first and last eighth, and every third between.</summary>
    private static bool MoreBits(int layer, int layers) =>
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;

    /// <summary>A row that is not a whole number of super-blocks takes the nearest 32-element type, as llama.cpp does.</summary>
    private static GgmlType Fallback(GgmlType type, long inputs)
    {
        if (inputs % GgmlTypeInfo.BlockSize(type) == 0)
        {
            return type;
        }

        var fallback = type switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            _ => GgmlType.Q8_0,
        };
        return inputs % GgmlTypeInfo.BlockSize(fallback) == 0 ? fallback : GgmlType.F16;
    }
}
