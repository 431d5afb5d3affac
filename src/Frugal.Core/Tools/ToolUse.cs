using System.Text.Json;
using System.Text.RegularExpressions;
using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Tools;

/// <summary>
/// Tools offered to a model without a tool-call format of its own, the way llama.cpp's generic format does it: the
/// tools and the answer format are described in the system message, and a grammar makes the reply one JSON object,
/// <c>{"tool_calls": [{"name": ..., "arguments": {...}}]}</c> (arguments constrained by each tool's schema) or,
/// under <see cref="ToolChoiceMode.Auto"/>, <c>{"response": "text"}</c>. <see cref="Read"/> turns it back into calls or text.
/// </summary>
public sealed partial class ToolUse
{
    /// <summary>The most calls one reply may make when parallel calls are allowed (a small model could go on forever).</summary>
    public const int MaxParallelCalls = 8;

    private ToolUse(GbnfGrammar grammar, string instructions)
    {
        Grammar = grammar;
        Instructions = instructions;
    }

    /// <summary>The grammar of the reply.</summary>
    public GbnfGrammar Grammar { get; }

    /// <summary>What the system message tells the model about the tools and the answer format.</summary>
    public string Instructions { get; }

    /// <summary>
    /// The tool use of a request, or null when no tool is offered (none given, or <see cref="ToolChoiceMode.None"/>).
    /// Throws <see cref="ChatRequestException"/> for a bad name, a duplicate, an unknown named tool, or a parameters
    /// schema the grammar cannot keep to (naming the field with <paramref name="parametersParam"/>).
    /// </summary>
    public static ToolUse? Create(IReadOnlyList<ToolDefinition> tools, ToolChoice choice, bool parallel, Func<int, string> parametersParam)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(parametersParam);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tools.Count; i++)
        {
            if (!ValidName().IsMatch(tools[i].Name))
            {
                throw new ChatRequestException($"Invalid tool name '{tools[i].Name}': use 1 to 64 letters, digits, '_' or '-'.", NameParam(parametersParam(i)), "invalid_value");
            }

            if (!names.Add(tools[i].Name))
            {
                throw new ChatRequestException($"The tool '{tools[i].Name}' is defined twice.", NameParam(parametersParam(i)), "invalid_value");
            }
        }

        if (choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named && tools.Count == 0)
        {
            throw new ChatRequestException("'tool_choice' asks for a tool call, but no 'tools' are given.", "tool_choice", "invalid_value");
        }

        if (choice.Mode == ToolChoiceMode.Named && !names.Contains(choice.Name ?? ""))
        {
            throw new ChatRequestException($"'tool_choice' names the tool '{choice.Name}', which is not among 'tools'.", "tool_choice", "invalid_value");
        }

        if (tools.Count == 0 || choice.Mode == ToolChoiceMode.None)
        {
            return null;
        }

        var offered = choice.Mode == ToolChoiceMode.Named ? tools.Where(t => t.Name == choice.Name).ToList() : tools;
        var grammar = ToolCallGrammar.Create(tools, offered, choice.Mode == ToolChoiceMode.Auto, parallel && choice.Mode != ToolChoiceMode.Named, parametersParam);
        return new ToolUse(grammar, ToolInstructions.Write(offered, choice));
    }

    /// <summary>The messages with <see cref="Instructions"/> added to the system message (one is added first when there is none).</summary>
    public IReadOnlyList<ChatTurn> Prepare(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count > 0 && messages[0].Role == ChatRole.System)
        {
            return [new ChatTurn(ChatRole.System, $"{messages[0].Content}\n\n{Instructions}"), .. messages.Skip(1)];
        }

        return [new ChatTurn(ChatRole.System, Instructions), .. messages];
    }

    /// <summary>
    /// The calls or the text of a reply written under <see cref="Grammar"/>; a reply cut short (by the token budget)
    /// is not JSON and comes back whole as text.
    /// </summary>
    public static ToolReply Read(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        try
        {
            using var document = JsonDocument.Parse(reply);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(ToolFormat.CallsKey, out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                return new ToolReply(null, [.. calls.EnumerateArray().Select(Call)]);
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(ToolFormat.ResponseKey, out var text) && text.ValueKind == JsonValueKind.String)
            {
                return new ToolReply(text.GetString(), []);
            }
        }
        catch (JsonException)
        {
            // Cut short (by the token budget): a text answer keeps what it had written, anything else stays as it is.
            if (TextStart().Match(reply) is { Success: true } start)
            {
                return new ToolReply(PartialString(reply, start.Length), []);
            }
        }

        return new ToolReply(reply, []);
    }

    // The characters of a JSON string from start up to its closing quote or the end of the text (an escape cut short is left out).
    private static string PartialString(string text, int start)
    {
        var value = new System.Text.StringBuilder();
        for (var i = start; i < text.Length && text[i] != '"'; i++)
        {
            if (text[i] != '\\')
            {
                value.Append(text[i]);
                continue;
            }

            var escape = text.Length - i >= 2 ? text.Substring(i, text[i + 1] == 'u' ? Math.Min(6, text.Length - i) : 2) : "";
            if (escape.Length < 2 || (escape[1] == 'u' && escape.Length < 6))
            {
                break;
            }

            value.Append(JsonSerializer.Deserialize<string>($"\"{escape}\""));
            i += escape.Length - 1;
        }

        return value.ToString();
    }

    private static ToolCall Call(JsonElement call) => new(
        $"call_{Guid.NewGuid():N}"[..29],
        call.GetProperty(ToolFormat.NameKey).GetString()!,
        call.GetProperty(ToolFormat.ArgumentsKey).GetRawText());

    private static string NameParam(string parametersParam) =>
        parametersParam.EndsWith(".parameters", StringComparison.Ordinal) ? parametersParam[..^".parameters".Length] + ".name" : parametersParam;

    [GeneratedRegex("^\\{ ?\"response\" ?: ?\"")]
    private static partial Regex TextStart();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ValidName();
}
