namespace Frugal.Models;

/// <summary>The tensor set each architecture Frugal runs must have, from its hyper-parameters; null for the others.</summary>
internal static class ExpectedTensors
{
    public static IReadOnlyList<ExpectedTensor>? For(GgufFile file, string arch, int embedding, int blocks, int vocabulary) => arch switch
    {
        "llama" => LlamaTensors.Expected(file, embedding, blocks, vocabulary),
        _ => null,
    };
}
