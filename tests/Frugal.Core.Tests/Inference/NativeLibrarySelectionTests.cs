using Frugal.Inference;

namespace Frugal.Tests.Inference;

public sealed class NativeLibrarySelectionTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData("packaged")]
    [InlineData("frugal")]
    [InlineData("AVX2")]
    [InlineData("avx512")]
    [InlineData("avx2")]
    [InlineData("avx")]
    [InlineData("noavx")]
    public void Problem_KnownChoice_None(string? choice) => Assert.Null(NativeLibrarySelection.Problem(choice));

    [Fact]
    public void Problem_UnknownName_ListsTheChoices()
    {
        var problem = NativeLibrarySelection.Problem("avx1024");

        Assert.NotNull(problem);
        Assert.Contains("auto, packaged, frugal, avx512, avx2, avx, noavx", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_MissingPath_SaysSo()
    {
        Assert.Equal("/nonexistent/libllama.so: no such file", NativeLibrarySelection.Problem("/nonexistent/libllama.so"));
    }

    [Fact]
    public void Apply_FrugalUnresolved_RefusedBeforeAnythingLoads()
    {
        var refused = Assert.Throws<ArgumentException>(() => NativeLibrarySelection.Apply("frugal"));

        Assert.Contains("resolved by the frugal command", refused.Message, StringComparison.Ordinal);
    }
}
