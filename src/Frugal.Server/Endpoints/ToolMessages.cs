using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Tools;

namespace Frugal.Server.Endpoints;

/// <summary>The tool parts of an OpenAI conversation: an assistant's <c>tool_calls</c> and the <c>tool</c> messages answering them.</summary>
internal static class ToolMessages
{
    /// <summary>An assistant message that called tools, remembering each call's tool by its id.</summary>
    public static ChatTurn AssistantCalls(IReadOnlyList<ChatCompletionToolCall?> calls, string param, Dictionary<string, string> callNames)
    {
        var list = new List<(string, string?)>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i]?.Function?.Name is not { Length: > 0 } name)
            {
                throw new ChatRequestException($"'{param}.tool_calls[{i}].function.name' is required.", $"{param}.tool_calls[{i}].function.name", "missing_required_parameter");
            }

            if (calls[i]!.Id is { Length: > 0 } id)
            {
                callNames[id] = name;
            }

            list.Add((name, calls[i]!.Function!.Arguments));
        }

        return ToolFormat.AssistantCalls(list);
    }

    /// <summary>A <c>tool</c> message: the result of the call its <c>tool_call_id</c> names.</summary>
    public static ChatTurn Result(ChatCompletionMessage message, string param, Dictionary<string, string> callNames)
    {
        if (message.ToolCallId is not { Length: > 0 } id)
        {
            throw new ChatRequestException($"'{param}.tool_call_id' is required in a tool message.", $"{param}.tool_call_id", "missing_required_parameter");
        }

        return ToolFormat.Result(callNames.GetValueOrDefault(id) ?? message.Name, message.Content ?? "");
    }
}
