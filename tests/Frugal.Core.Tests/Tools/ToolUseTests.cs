using System.Text.Json;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Tools;

namespace Frugal.Tests.Tools;

public sealed class ToolUseTests
{
    private static readonly ToolDefinition Add = new("add", "Adds.",
        JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}""").RootElement);

    [Fact]
    public void Read_Calls_ParsedWithIdsAndArguments()
    {
        var reply = ToolUse.Read("""{ "tool_calls": [{"name": "add", "arguments": {"a": 1}}, {"name":"add","arguments":{"a":2}}]}""");

        Assert.Null(reply.Text);
        Assert.Equal(2, reply.Calls.Count);
        Assert.Equal("add", reply.Calls[0].Name);
        Assert.Equal("""{"a": 1}""", reply.Calls[0].Arguments);
        Assert.NotEqual(reply.Calls[0].Id, reply.Calls[1].Id);
    }

    [Theory]
    [InlineData("""{"response": "hi \"you\""}""", "hi \"you\"")]
    [InlineData("""{ "response" : "cut \u00e9 sh""", "cut é sh")]
    [InlineData("""{"response": "escape cut \""", "escape cut ")]
    [InlineData("""{"response": "unicode cut \u00""", "unicode cut ")]
    [InlineData("""{"tool_calls": [{"name": "ad""", """{"tool_calls": [{"name": "ad""")]
    public void Read_TextOrCutShort_TheTextItHad(string reply, string expected)
    {
        var read = ToolUse.Read(reply);

        Assert.False(read.HasCalls);
        Assert.Equal(expected, read.Text);
    }

    [Fact]
    public void Create_None_OffersNothing() =>
        Assert.Null(ToolUse.Create([Add], new ToolChoice(ToolChoiceMode.None), parallel: true, i => $"tools[{i}]"));

    [Fact]
    public void Create_NamedUnknown_RefusedOnToolChoice()
    {
        var error = Assert.Throws<ChatRequestException>(() => ToolUse.Create([Add], new ToolChoice(ToolChoiceMode.Named, "sub"), true, i => $"tools[{i}]"));

        Assert.Equal("tool_choice", error.Param);
    }

    [Fact]
    public void Create_SchemaWithUnsupportedKeyword_RefusedOnItsParameters()
    {
        var bad = new ToolDefinition("f", null, JsonDocument.Parse("""{"type":"string","pattern":"x"}""").RootElement);

        var error = Assert.Throws<ChatRequestException>(() => ToolUse.Create([Add, bad], ToolChoice.Auto, true, i => $"tools[{i}].function.parameters"));

        Assert.Equal("tools[1].function.parameters", error.Param);
        Assert.Equal("unsupported_schema", error.Code);
    }

    [Fact]
    public void Prepare_WithSystemMessage_AddsInstructionsToIt()
    {
        var use = ToolUse.Create([Add], ToolChoice.Auto, true, i => $"tools[{i}]")!;

        var messages = use.Prepare([new ChatTurn(ChatRole.System, "Be brief."), new ChatTurn(ChatRole.User, "1+1?")]);

        Assert.Equal(2, messages.Count);
        Assert.StartsWith("Be brief.", messages[0].Content, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"add\"", messages[0].Content, StringComparison.Ordinal);
        Assert.Contains("root ::= tool-calls | text-reply", use.Grammar.Text, StringComparison.Ordinal);
    }
}
