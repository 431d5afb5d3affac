using System.Text.Json;
using Frugal.Inference;

namespace Frugal.Bench.Tests;

/// <summary>The bench report says what the load gave back of the repacked weights' file pages, and nothing when nothing was repacked.</summary>
public sealed class BenchReportRepackedPagesTests
{
    [Fact]
    public void Write_RepackedLoad_JsonAndMarkdownSayWhatWasReleased()
    {
        var report = BenchTargetTests.Report(1, [], null) with { RepackedPages = new RepackedPageRelease(455L << 20, 388L << 20, 387L << 20, 2L << 20) };

        using var json = JsonDocument.Parse(BenchReportJson.Write(report));
        var markdown = BenchReportMarkdown.Write(report);

        var pages = Find(json.RootElement, "repacked_pages");
        Assert.NotNull(pages);
        Assert.Equal(455L << 20, pages.Value.GetProperty("repacked_bytes").GetInt64());
        Assert.Equal(388L << 20, pages.Value.GetProperty("range_bytes").GetInt64());
        Assert.Equal(387L << 20, pages.Value.GetProperty("released_bytes").GetInt64());
        Assert.Contains("After the load: repacked weights' file pages released: 387 MiB of the 455 MiB repacked", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NothingRepacked_NoRepackedPages()
    {
        var report = BenchTargetTests.Report(1, [], null) with { RepackedPages = RepackedPageRelease.None };

        using var json = JsonDocument.Parse(BenchReportJson.Write(report));

        Assert.Null(Find(json.RootElement, "repacked_pages"));
        Assert.DoesNotContain("repacked weights' file pages", BenchReportMarkdown.Write(report), StringComparison.Ordinal);
    }

    // The first property of that name anywhere in the document.
    private static JsonElement? Find(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == name)
                {
                    return property.Value;
                }

                if (Find(property.Value, name) is { } found)
                {
                    return found;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (Find(item, name) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
