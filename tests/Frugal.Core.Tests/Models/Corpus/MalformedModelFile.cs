namespace Frugal.Tests.Models.Corpus;

/// <summary>One named case of the malformed-file corpus: how to make the file, and what its refusal must say.</summary>
internal sealed record MalformedModelFile(string Name, string Expected, Func<byte[]> Make)
{
    public override string ToString() => Name;
}
