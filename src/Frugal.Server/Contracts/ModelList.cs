namespace Frugal.Server.Contracts;

/// <summary>The answer of <c>GET /v1/models</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelEntry> Data)
{
    public string Object => "list";
}
