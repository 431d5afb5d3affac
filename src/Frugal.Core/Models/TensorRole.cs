namespace Frugal.Models;

/// <summary>What llama.cpp does with a weight tensor, as far as the types it accepts are concerned.</summary>
internal enum TensorRole
{
    /// <summary>Multiplied with activations (or its rows looked up): needs a type with a CPU dot product.</summary>
    Matrix,

    /// <summary>A norm's or bias's vector, multiplied or added element by element to F32 activations.</summary>
    Vector,

    /// <summary>RoPE frequency factors, which ggml's rope reads as F32 only.</summary>
    RopeFactors,
}
