using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

/// <summary>One tensor of a corpus model as <see cref="CorpusBase.RewriteTensors"/> writes it.</summary>
internal sealed record CorpusTensor(string Name, GgmlType Type, long[] Dimensions, ReadOnlyMemory<byte> Data)
{
    /// <summary>A tensor of zeros (a valid value in every ggml type) of this type and shape.</summary>
    public static CorpusTensor Zeros(string name, GgmlType type, params long[] dimensions) =>
        new(name, type, dimensions, new byte[GgmlTypeInfo.ByteSize(type, dimensions.Aggregate(1L, (a, b) => a * b))!.Value]);
}
