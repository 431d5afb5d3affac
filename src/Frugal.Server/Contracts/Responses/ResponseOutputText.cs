namespace Frugal.Server.Contracts.Responses;

/// <summary>A text part of an output message (<c>"type": "output_text"</c>).</summary>
public sealed record ResponseOutputText(string Text)
{
    public string Type => "output_text";

    public IReadOnlyList<string> Annotations => [];
}
