using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Bench.Tests;

/// <summary>
/// What the ceiling reads: all the tensor data through the mapping without repacking; with it, the tensors read from the
/// mapping and the repacked ones' bytes from anonymous memory, never a byte of a repacked tensor from the file.
/// </summary>
public sealed class CeilingReadsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Of_NotRepacked_AllTheTensorDataMappedNothingAnonymous()
    {
        var file = GgufReader.Read(Q4KM("mapped.gguf"));

        var reads = CeilingReads.Of(file, repacked: false);

        var end = file.Tensors.Max(t => t.Offset + t.ByteSize);
        Assert.Equal([(file.DataOffset, end)], reads.MappedRanges);
        Assert.Equal(0, reads.AnonymousBytes);
        Assert.Equal("the mapped model file", reads.Describe());
    }

    [Fact]
    public void Of_Repacked_MappedRangesHoldEveryOtherTensorAndNoRepackedByte()
    {
        var file = GgufReader.Read(Q4KM("repacked.gguf"));
        var repacked = RepackedWeights.Tensors(file, RepackedWeights.LlamaCppTypes).ToHashSet();

        var reads = CeilingReads.Of(file, repacked: true);

        Assert.NotEmpty(repacked);
        Assert.Equal(RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes), reads.AnonymousBytes);
        var ranges = reads.MappedRanges;
        Assert.All(file.Tensors.Where(t => !repacked.Contains(t)), t => Assert.Contains(ranges, r => Inside(Span(file, t), r)));
        Assert.All(repacked, t => Assert.DoesNotContain(ranges, r => Overlap(Span(file, t), r)));
        // The released ranges at the finest trimming (a base page) hold the most; none is read.
        Assert.All(RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, Environment.SystemPageSize),
            released => Assert.DoesNotContain(ranges, r => Overlap(released, r)));
    }

    [Fact]
    public void Describe_Repacked_SaysBothParts()
    {
        var reads = new CeilingReads([(4096, 181L << 20)], 455L << 20);

        Assert.Equal("the mapped model file's tensors not repacked (181 MiB) and an anonymous copy of the repacked ones (455 MiB)", reads.Describe());
    }

    private static (long Offset, long Length) Span(GgufFile file, GgufTensorInfo tensor) => (file.DataOffset + tensor.Offset, tensor.ByteSize);

    private static bool Inside((long Offset, long Length) inner, (long Offset, long Length) outer) =>
        inner.Offset >= outer.Offset && inner.Offset + inner.Length <= outer.Offset + outer.Length;

    private static bool Overlap((long Offset, long Length) a, (long Offset, long Length) b) =>
        a.Offset < b.Offset + b.Length && b.Offset < a.Offset + a.Length;

    private string Q4KM(string name)
    {
        var path = _temp.File(name);
        RepackedTestModel.Write(path);
        return path;
    }
}
