namespace Frugal.Server.Contracts.Ollama;

/// <summary>The <c>details</c> of a model in Ollama's listings.</summary>
public sealed record OllamaModelDetails(string Format, string Family, IReadOnlyList<string> Families, string ParameterSize, string QuantizationLevel)
{
    public string ParentModel => "";
}
