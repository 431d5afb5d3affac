namespace Frugal.Server.Contracts.Responses;

/// <summary>An output item: the assistant's message (<c>"type": "message"</c>) with its text parts.</summary>
public sealed record ResponseOutputItem(string Id, string Status, IReadOnlyList<ResponseOutputText> Content)
{
    public string Type => "message";

    public string Role => "assistant";
}
