namespace Frugal.Models;

/// <summary>What a weight matrix does, as far as llama.cpp's choice of its quantization type cares.</summary>
internal enum WeightRole
{
    TokenEmbedding,
    Output,
    AttentionValue,
    FeedForwardDown,
    Other,
}
