using System.Text;
using System.Text.Json;

namespace Frugal.Testing;

/// <summary>Reads a whole SSE body and checks its framing byte by byte: blocks end with a blank line, each is one <c>data:</c> line or comment lines.</summary>
public static class SseReader
{
    /// <summary>
    /// Splits <paramref name="body"/> into events. Asserts the framing: UTF-8 text, every block ends in
    /// <c>\n\n</c>, no <c>\r</c>, a data block is exactly one <c>data: </c> line of one JSON object, a comment
    /// block has only lines starting with <c>:</c>. Returns the parsed data events and the comments, in order.
    /// </summary>
    public static (IReadOnlyList<JsonElement> Events, IReadOnlyList<string> Comments) Parse(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        Assert.DoesNotContain('\r', text);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        var events = new List<JsonElement>();
        var comments = new List<string>();
        foreach (var block in text[..^2].Split("\n\n"))
        {
            Assert.False(block.Length == 0, "an empty SSE block");
            var lines = block.Split('\n');
            if (lines[0].StartsWith(':'))
            {
                Assert.All(lines, line => Assert.StartsWith(":", line, StringComparison.Ordinal));
                comments.AddRange(lines);
                continue;
            }

            var line = Assert.Single(lines);
            Assert.StartsWith("data: ", line, StringComparison.Ordinal);
            using var document = JsonDocument.Parse(line["data: ".Length..]);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            events.Add(document.RootElement.Clone());
        }

        return (events, comments);
    }
}
