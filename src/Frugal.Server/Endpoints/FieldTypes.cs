namespace Frugal.Server.Endpoints;

/// <summary>
/// What a body field must be, by its name, for a wrong type's message ("Invalid type for 'stream': expected a boolean").
/// One table for every dialect: a name means the same thing in each of them (a dialect overrides the few it reads
/// otherwise, such as <c>content</c>).
/// </summary>
internal static class FieldTypes
{
    /// <summary>What the field at <paramref name="param"/> ("messages[0].role") must be.</summary>
    public static string Expected(string param) => RequestBody.FieldOf(param) switch
    {
        "messages" when param.EndsWith(']') => "an object with 'role' and 'content'",
        "messages" => "an array of messages",
        "model" or "role" or "name" or "type" or "content" or "prompt" or "system" or "suffix" or "template" => "a string",
        "stream" or "include_usage" or "echo" or "raw" or "verbose" => "a boolean",
        "stream_options" or "options" or "response_format" or "json_schema" => "an object",
        "max_tokens" or "max_completion_tokens" or "n" or "best_of" or "logprobs" or "top_logprobs" or "top_k" or "num_predict" or "num_ctx" => "an integer",
        "seed" => "a 64-bit integer",
        "temperature" or "top_p" or "presence_penalty" or "frequency_penalty" => "a number",
        "stop" => "a string or an array of strings",
        "stop_sequences" => "an array of strings",
        _ => "another type",
    };
}
