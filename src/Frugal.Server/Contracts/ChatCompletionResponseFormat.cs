namespace Frugal.Server.Contracts;

/// <summary>OpenAI's <c>response_format</c>: <c>text</c>, <c>json_object</c>, or <c>json_schema</c> with its schema.</summary>
public sealed record ChatCompletionResponseFormat
{
    public string? Type { get; init; }

    public ResponseJsonSchema? JsonSchema { get; init; }
}
