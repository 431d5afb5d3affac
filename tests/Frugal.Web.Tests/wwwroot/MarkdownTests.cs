using System.Text.Json;
using Frugal.Web.Tests.Infrastructure;

namespace Frugal.Web.Tests.wwwroot;

/// <summary>The page's Markdown renderer (markdown.js), run in the real browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MarkdownTests(BrowserFixture browser, PageOnlyHost host) : IClassFixture<PageOnlyHost>
{
    // Renders the text into a fresh element and reports what the DOM holds.
    private const string RenderScript = """
        async (text) => {
          const { renderMarkdown } = await import("/markdown.js");
          const box = document.createElement("div");
          box.id = "probe";
          box.className = "markdown";
          box.append(renderMarkdown(text));
          document.body.append(box);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return {
            text: box.textContent,
            tags: [...box.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()),
            hrefs: [...box.querySelectorAll("a")].map((a) => a.getAttribute("href")),
            handlers: [...box.querySelectorAll("*")].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith("on")),
            pwned: window.pwned === true,
          };
        }
        """;

    [Theory]
    [InlineData("<img src=x onerror=\"window.pwned=true\">")]
    [InlineData("<script>window.pwned=true</script>")]
    [InlineData("**<img src=x onerror=window.pwned=true>** and `<b>x</b>`")]
    [InlineData("```html\n<img src=x onerror=window.pwned=true>\n```")]
    [InlineData("- <svg onload=window.pwned=true></svg>\n- [x](javascript:window.pwned=true)")]
    [InlineData("> <iframe src=\"javascript:window.pwned=true\"></iframe>")]
    public async Task RenderMarkdown_HtmlOrScript_StaysText(string input)
    {
        var result = await RenderAsync(input, "markdown-injection");

        Assert.False(result.GetProperty("pwned").GetBoolean());
        var tags = Strings(result, "tags");
        Assert.DoesNotContain("img", tags);
        Assert.DoesNotContain("script", tags);
        Assert.DoesNotContain("svg", tags);
        Assert.DoesNotContain("iframe", tags);
        Assert.Empty(Strings(result, "handlers"));
        Assert.All(Strings(result, "hrefs"), href => Assert.DoesNotContain("javascript", href, StringComparison.OrdinalIgnoreCase));
        // The markup is still visible, as text.
        Assert.Contains("<", result.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderMarkdown_CommonSyntax_BuildsElements()
    {
        const string Input = "## Title\n\nSome **bold**, *italic* and `code`.\n\n```csharp\nvar x = 1 < 2;\n```\n\n1. one\n2. two\n\n- a\n- b\n\n> quoted\n\n[site](https://example.org/)";

        var result = await RenderAsync(Input, "markdown-syntax");

        var tags = Strings(result, "tags");
        foreach (var tag in new[] { "h4", "strong", "em", "code", "pre", "ol", "ul", "li", "blockquote", "a" })
        {
            Assert.Contains(tag, tags);
        }

        Assert.Equal(["https://example.org/"], Strings(result, "hrefs"));
        Assert.Contains("var x = 1 < 2;", result.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderMarkdown_UnclosedFenceWhileStreaming_RendersCodeSoFar()
    {
        var result = await RenderAsync("Here:\n```python\nprint('hi')", "markdown-unclosed");

        Assert.Contains("pre", Strings(result, "tags"));
        Assert.Contains("print('hi')", result.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> RenderAsync(string input, string screenshot)
    {
        await using var context = await browser.NewContextAsync(host.BaseAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        var result = await page.EvaluateAsync<JsonElement>(RenderScript, input);
        await Screenshots.SaveAsync(page, screenshot);
        return result;
    }

    private static string[] Strings(JsonElement result, string name) =>
        [.. result.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "")];
}
