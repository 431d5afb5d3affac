namespace Frugal.Tests;

public sealed class MappedAreaTests
{
    [Theory]
    [InlineData("7f0b9deb3000-7f0bd3b90000 r--s 00000000 fe:00 1234567                    /var/lib/frugal/models/tiny llama.gguf", "/var/lib/frugal/models/tiny llama.gguf")]
    [InlineData("7f0b9deb3000-7f0bd3b90000 rw-p 00000000 00:00 0 ", "")]
    [InlineData("55d4c8a1e000-55d4c8a3f000 rw-p 00000000 00:00 0                          [heap]", "[heap]")]
    [InlineData("7f0b9deb3000-7f0bd3b90000 r--s 00000000 fe:00 1234567 /m/a.gguf (deleted)", "/m/a.gguf (deleted)")]
    public void TryParseHeader_SmapsHeader_AddressesAndPath(string line, string path)
    {
        var area = MappedArea.TryParseHeader(line);

        Assert.NotNull(area);
        Assert.Equal(path, area.Path);
        Assert.Equal(line.StartsWith("55d4", StringComparison.Ordinal) ? 0x55d4c8a1e000 : 0x7f0b9deb3000, (long)area.Start);
        Assert.True(area.End > area.Start);
    }

    [Theory]
    [InlineData("Rss:                 860 kB")]
    [InlineData("FilePmdMapped:    522240 kB")]
    [InlineData("VmFlags: rd sh mr mw me ms hg")]
    [InlineData("THPeligible:    0")]
    [InlineData("")]
    public void TryParseHeader_FieldLine_Null(string line) => Assert.Null(MappedArea.TryParseHeader(line));

    [Fact]
    public void WithField_RssAndFilePmdMapped_TakenInBytes_OtherLinesIgnored()
    {
        var area = MappedArea.TryParseHeader("7f0b9deb3000-7f0bd3b90000 r--s 00000000 fe:00 1 /m.gguf")!;

        area = area.WithField("Rss:                 880640 kB").WithField("FilePmdMapped:    522240 kB").WithField("Pss:   4 kB").WithField("VmFlags: rd sh hg");

        Assert.Equal(880640L * 1024, area.Resident);
        Assert.Equal(522240L * 1024, area.Huge);
    }

    [Theory]
    [InlineData("VmFlags: rd wr mr mw me ac sd hg", true)]
    [InlineData("VmFlags: rd wr mr mw me ac sd nh", false)]
    [InlineData("VmFlags: rd wr mr mw me ac sd hgx", false)]
    public void WithField_AnonymousArea_AnonHugePagesAndWhetherAdvisedHuge(string flags, bool advised)
    {
        var area = MappedArea.TryParseHeader("7f0b6c000000-7f0b8a000000 rw-p 00000000 00:00 0 ")!;

        area = area.WithField("Rss:   471040 kB").WithField("AnonHugePages:    462848 kB").WithField(flags);

        Assert.Equal("", area.Path);
        Assert.Equal(462848L * 1024, area.AnonymousHuge);
        Assert.Equal(0, area.Huge);
        Assert.Equal(advised, area.AdvisedHuge);
    }

    [Fact]
    public void TryParseHeader_AreaFromAnOffset_TheFileOffsetItMaps()
    {
        var area = MappedArea.TryParseHeader("7f0b9deb3000-7f0bd3b90000 r--s 00200000 fe:00 1234567 /m/a.gguf");

        Assert.NotNull(area);
        Assert.Equal(0x200000, area.Offset);
        Assert.Equal("/m/a.gguf", area.Path);
    }
}
