using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class ChatTemplateRecognizerTests
{
    [Theory]
    [InlineData(KnownChatTemplates.TinyLlamaZephyr, ChatTemplateFamily.Zephyr)]
    [InlineData(KnownChatTemplates.Llama2, ChatTemplateFamily.Llama2)]
    [InlineData(KnownChatTemplates.ChatML, ChatTemplateFamily.ChatML)]
    [InlineData(null, ChatTemplateFamily.Unknown)]
    [InlineData("", ChatTemplateFamily.Unknown)]
    [InlineData("{{ messages }}", ChatTemplateFamily.Unknown)]
    [InlineData("{{'<|user|>' + m + '<|end|>'}}{{'<|assistant|>'}}", ChatTemplateFamily.Unknown)]
    [InlineData("<|start_header_id|>user<|end_header_id|>", ChatTemplateFamily.Unknown)]
    public void Recognize_Template_ReturnsFamily(string? template, ChatTemplateFamily expected) =>
        Assert.Equal(expected, ChatTemplateRecognizer.Recognize(template));
}
