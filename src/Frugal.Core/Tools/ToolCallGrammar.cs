using Frugal.Grammars;
using Frugal.Inference;

namespace Frugal.Tools;

/// <summary>The grammar of a reply in the generic tool-call format (see <see cref="ToolUse"/>).</summary>
internal static class ToolCallGrammar
{
    public static GbnfGrammar Create(IReadOnlyList<ToolDefinition> all, IReadOnlyList<ToolDefinition> offered, bool textAllowed, bool parallel, Func<int, string> parametersParam)
    {
        var rules = new GbnfRules();
        rules.Reserve("root");
        var space = JsonRules.Use(rules, JsonRules.Space);
        string Key(string name) => $"{GbnfRules.Literal($"\"{name}\"")} {space} \":\" {space}";
        var calls = new List<string>();
        foreach (var tool in offered)
        {
            var index = IndexOf(all, tool);
            string arguments;
            try
            {
                arguments = tool.Parameters is { } schema
                    ? new SchemaConverter(rules, schema).Visit(schema, "#", $"tool-{index}-arguments")
                    : rules.Add("no-arguments", $"\"{{\" {space} \"}}\" {space}");
            }
            catch (JsonSchemaNotSupportedException e)
            {
                throw new Requests.ChatRequestException(e.Message, parametersParam(index), "unsupported_schema");
            }

            calls.Add(rules.Add($"tool-{index}-call",
                $"\"{{\" {space} {Key(ToolFormat.NameKey)} {GbnfRules.Literal($"\"{tool.Name}\"")} {space} \",\" {space} {Key(ToolFormat.ArgumentsKey)} {arguments} \"}}\" {space}"));
        }

        var call = rules.Add("tool-call", string.Join(" | ", calls));
        var list = parallel ? $"{call} (\",\" {space} {call}){{0,{ToolUse.MaxParallelCalls - 1}}}" : call;
        var toolCalls = rules.Add("tool-calls", $"\"{{\" {space} {Key(ToolFormat.CallsKey)} \"[\" {space} {list} \"]\" {space} \"}}\" {space}");
        if (textAllowed)
        {
            var text = rules.Add("text-reply", $"\"{{\" {space} {Key(ToolFormat.ResponseKey)} {JsonRules.Use(rules, JsonRules.String)} \"}}\" {space}");
            rules.Set("root", $"{toolCalls} | {text}");
        }
        else
        {
            rules.Set("root", toolCalls);
        }

        return new GbnfGrammar(rules.Write());
    }

    private static int IndexOf(IReadOnlyList<ToolDefinition> all, ToolDefinition tool)
    {
        for (var i = 0; i < all.Count; i++)
        {
            if (ReferenceEquals(all[i], tool))
            {
                return i;
            }
        }

        return 0;
    }
}
