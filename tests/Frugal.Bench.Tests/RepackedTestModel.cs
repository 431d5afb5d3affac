using Frugal.Models;

namespace Frugal.Bench.Tests;

/// <summary>
/// A Q4_K_M model (≈30 MiB) whose Q4_K matrices, which llama.cpp repacks, fill whole 2 MiB pages between the mapped
/// Q6_K matrices and norms — the shape RepackedPageReleaseTests loads.
/// </summary>
internal static class RepackedTestModel
{
    public static void Write(string path) => ModelSynthesizer.Write(path, new SynthesisOptions
    {
        Shape = ModelShape.Tiny with { Name = "release", EmbeddingLength = 1024, FeedForwardLength = 4096, HeadCount = 8, HeadCountKv = 4, BlockCount = 4 },
        Quant = ModelQuantization.Q4_K_M,
    });
}
