using System.ComponentModel;

namespace Frugal.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("512b", 512L)]
    [InlineData("64k", 64L * 1024)]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("64M", 64L * 1024 * 1024)]
    [InlineData("1.5g", 1536L * 1024 * 1024)]
    [InlineData("2GiB", 2L * 1024 * 1024 * 1024)]
    [InlineData("2gb", 2L * 1024 * 1024 * 1024)]
    [InlineData(" 1 t ", 1L << 40)]
    public void Parse_OperatorSpelling_GivesBytes(string text, long expected) =>
        Assert.Equal(expected, ByteSize.Parse(text).Bytes);

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-1m")]
    [InlineData("1x")]
    [InlineData("1.5")]
    [InlineData("abcdefg")]
    [InlineData("99999999999t")]
    public void TryParse_NotASize_ReturnsFalse(string text) =>
        Assert.False(ByteSize.TryParse(text, null, out _));

    [Fact]
    public void Parse_NotASize_ThrowsFormatExceptionNamingTheText()
    {
        var error = Assert.Throws<FormatException>(() => ByteSize.Parse("lots"));
        Assert.Contains("'lots'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1000L, "1000")]
    [InlineData(64L * 1024 * 1024, "64m")]
    [InlineData(1536L * 1024 * 1024, "1536m")]
    [InlineData(2L * 1024 * 1024 * 1024, "2g")]
    public void ToString_ExactSize_ShortestForm(long bytes, string expected) =>
        Assert.Equal(expected, new ByteSize(bytes).ToString());

    [Fact]
    public void TypeConverter_FromString_ParsesForConfigurationBinding()
    {
        var converter = TypeDescriptor.GetConverter(typeof(ByteSize));
        Assert.Equal(ByteSize.FromMebibytes(64), converter.ConvertFromInvariantString("64m"));
    }

    [Fact]
    public void Constructor_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteSize(-1));
}
