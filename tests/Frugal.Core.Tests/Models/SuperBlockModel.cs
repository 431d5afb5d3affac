using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>
/// A small shape with rows of whole 256-element super-blocks and 8 layers, so the K types and the _M mixes are used
/// as they are in TinyLlama (the tiny shape's 64-wide rows take the 32-element fallbacks instead).
/// </summary>
internal static class SuperBlockModel
{
    public static ModelShape Shape { get; } = ModelShape.Tiny with
    {
        Name = "superblock",
        EmbeddingLength = 256,
        FeedForwardLength = 512,
        HeadCount = 4,
        HeadCountKv = 2,
        BlockCount = 8,
    };
}
