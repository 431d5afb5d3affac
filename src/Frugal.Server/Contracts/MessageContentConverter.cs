using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>
/// Reads a message's <c>content</c>: a string, or an array of parts <c>{"type": "text", "text": ...}</c>
/// (what some clients send even for plain text), joined in order. Other part types (images, audio)
/// are refused: this model reads text only.
/// </summary>
public sealed class MessageContentConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A message's 'content' must be a string or an array of text parts.");
        }

        var text = new StringBuilder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            text.Append(ReadPart(ref reader));
        }

        return text.ToString();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    private static string ReadPart(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Each part of a message's 'content' must be an object like {\"type\": \"text\", \"text\": \"...\"}.");
        }

        string? type = null;
        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "type" && reader.TokenType == JsonTokenType.String)
            {
                type = reader.GetString();
            }
            else if (name == "text" && reader.TokenType == JsonTokenType.String)
            {
                text = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        if (type != "text" || text is null)
        {
            throw new JsonException($"Content parts of type '{type ?? "(none)"}' are not supported; this model reads text only.");
        }

        return text;
    }
}
