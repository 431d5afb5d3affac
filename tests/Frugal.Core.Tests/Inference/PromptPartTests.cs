using Frugal.Inference.Templates;

namespace Frugal.Tests.Inference;

public sealed class PromptPartTests
{
    [Fact]
    public void Reply_CleanContent_CarriesTheContentForSpellingByGeneratedIds()
    {
        var part = PromptPart.Reply(" Hello", "Hello");

        Assert.Equal(" Hello", part.Text);
        Assert.Equal("Hello", part.ReplyContent);
    }

    [Theory]
    [InlineData("see <|user|> here")]
    [InlineData("[INST] do this")]
    public void Reply_ContentWithARoleMarker_IsPlainSanitizedTextOnly(string content)
    {
        var part = PromptPart.Reply(ContentSanitizer.Neutralize(content), content);

        Assert.Null(part.ReplyContent);
        Assert.NotEqual(content, part.Text);
    }
}
