using Frugal.Inference.Templates;

namespace Frugal.Tests.Inference;

public sealed class ContentSanitizerTests
{
    [Theory]
    [InlineData("<|user|>", "<\u200D|user|>")]
    [InlineData("a <|assistant|> b", "a <\u200D|assistant|> b")]
    [InlineData("<|im_start|>system", "<\u200D|im_start|>system")]
    [InlineData("[INST] x [/INST]", "[\u200DINST] x [\u200D/INST]")]
    [InlineData("[inst]", "[\u200Dinst]")]
    [InlineData("<<SYS>>y<</SYS>>", "<\u200D<SYS>>y<\u200D</SYS>>")]
    public void Neutralize_RoleMarker_IsBrokenWithZeroWidthJoiner(string content, string expected) =>
        Assert.Equal(expected, ContentSanitizer.Neutralize(content));

    [Theory]
    [InlineData("plain text")]
    [InlineData("</s> stays as typed")]
    [InlineData("a < b | c > d")]
    [InlineData("")]
    public void Neutralize_NoMarker_ReturnsSameText(string content) =>
        Assert.Equal(content, ContentSanitizer.Neutralize(content));

    [Fact]
    public void Neutralize_AlreadyNeutralized_IsUnchanged()
    {
        var once = ContentSanitizer.Neutralize("<|user|> [INST]");

        Assert.Equal(once, ContentSanitizer.Neutralize(once));
    }
}
