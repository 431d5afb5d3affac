namespace Frugal.Grammars;

/// <summary>
/// A JSON schema uses something Frugal cannot turn into a grammar (a keyword such as <c>pattern</c>, a
/// <c>$ref</c> outside the document, bounds it cannot express): the request is refused, never answered with
/// output that might not follow the schema.
/// </summary>
public sealed class JsonSchemaNotSupportedException : Exception
{
    /// <summary>Creates the error for <paramref name="keyword"/> at <paramref name="path"/> (a JSON pointer into the schema).</summary>
    public JsonSchemaNotSupportedException(string message, string keyword, string path) : base(message)
    {
        Keyword = keyword;
        Path = path;
    }

    public JsonSchemaNotSupportedException() : base("The JSON schema is not supported.") { }

    public JsonSchemaNotSupportedException(string message) : base(message) { }

    public JsonSchemaNotSupportedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The keyword at fault (<c>pattern</c>, <c>$ref</c>, …).</summary>
    public string Keyword { get; } = "";

    /// <summary>Where in the schema, as a JSON pointer (<c>#/properties/age</c>).</summary>
    public string Path { get; } = "#";
}
