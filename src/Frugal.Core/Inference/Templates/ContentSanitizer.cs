using System.Text;

namespace Frugal.Inference.Templates;

/// <summary>
/// Breaks up chat-template role markers inside message content so that text typed by a user (or
/// echoed by the model in an earlier reply) can never look like a turn boundary to the model.
/// </summary>
/// <remarks>
/// Content is already tokenized with special-token parsing off, so <c>&lt;/s&gt;</c> typed by a user
/// stays text. But several families' role markers (<c>&lt;|user|&gt;</c>, <c>[INST]</c>, ...) are
/// ordinary text in the vocabulary, so parsing rules alone cannot stop a forged turn. We insert a
/// ZERO WIDTH JOINER (U+200D) after the marker's first character: the text still reads the same to a
/// person, but it tokenizes differently from the marker (byte-fallback tokens), so the model never
/// sees the marker's token sequence. Every known family's markers are neutralized whatever family is
/// in use: a marker of another family is just as meaningless in content, and the rule stays simple.
/// Every <c>&lt;|</c> is broken, which covers <c>&lt;|im_start|&gt;</c>, <c>&lt;|endoftext|&gt;</c>
/// and any other pipe-delimited control text.
/// </remarks>
internal static class ContentSanitizer
{
    /// <summary>The character inserted into a marker to break it.</summary>
    public const char Breaker = '\u200D';

    private static readonly string[] BracketMarkers = ["[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"];

    /// <summary>Returns <paramref name="content"/> with every role marker broken up.</summary>
    public static string Neutralize(string content)
    {
        if (!NeedsWork(content))
        {
            return content;
        }

        var builder = new StringBuilder(content.Length + 8);
        var i = 0;
        while (i < content.Length)
        {
            var span = content.AsSpan(i);
            if (span.StartsWith("<|", StringComparison.Ordinal))
            {
                builder.Append('<').Append(Breaker);
                i++;
                continue;
            }

            var marker = BracketMarkerAt(span);
            if (marker is not null)
            {
                builder.Append(content[i]).Append(Breaker).Append(content, i + 1, marker.Length - 1);
                i += marker.Length;
                continue;
            }

            builder.Append(content[i]);
            i++;
        }

        return builder.ToString();
    }

    private static string? BracketMarkerAt(ReadOnlySpan<char> text)
    {
        foreach (var marker in BracketMarkers)
        {
            if (text.StartsWith(marker, StringComparison.OrdinalIgnoreCase))
            {
                return marker;
            }
        }

        return null;
    }

    private static bool NeedsWork(string content) =>
        content.Contains("<|", StringComparison.Ordinal)
        || BracketMarkers.Any(m => content.Contains(m, StringComparison.OrdinalIgnoreCase));
}
