using System.Text;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Endpoints;

namespace Frugal.Testing.Fuzzing;

/// <summary>
/// The <c>/v1/chat/completions</c> request reader as the endpoint runs it before anything is queued: the body parsed
/// (<c>ChatRequestReader.Parse</c>), turned into a chat request for the tiny model (roles, tools, response formats,
/// JSON schemas to grammars) and checked against a 512-token context (<see cref="ChatRequestValidator"/>). Its own
/// error is <see cref="ChatRequestException"/> (a 400/404 in OpenAI's error shape); seeds are requests of every
/// shape the server accepts.
/// </summary>
public sealed class ChatRequestFuzzTarget(ModelInfo model) : IFuzzTarget
{
    private const int ContextSize = 512;

    public string Name => "chat-request";

    public IReadOnlyList<byte[]> Seeds { get; } = [.. new[]
    {
        """{"model":"tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"max_tokens":16,"temperature":0.5,"top_p":0.9,"seed":7,"stop":["\n\n","END"],"stream":true,"stream_options":{"include_usage":true}}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Give a person"}],"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string","maxLength":20},"age":{"type":"integer","minimum":0,"maximum":150},"born":{"type":"string","format":"date"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3},"next":{"anyOf":[{"$ref":"#/$defs/n"},{"type":"null"}]}},"required":["name"],"additionalProperties":false,"$defs":{"n":{"type":"number"}}}}}}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,"max_completion_tokens":32}""",
        """{"model":"tiny","messages":[{"role":"developer","content":[{"type":"text","text":"hi"},{"type":"text","text":" there"}]},{"role":"user","content":"ok"}],"response_format":{"type":"json_object"},"n":1,"stop":"x"}""",
    }.Select(Encoding.UTF8.GetBytes)];

    public IReadOnlyList<byte[]> Dictionary { get; } = [.. new[]
    {
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "0", "1e400", "-0.0", "1e-45", "99999999999999999999",
        "\"\\ud800\"", "\\u0000", "\\\"", "\"role\"", "\"content\"", "\"messages\"", "\"tool_calls\"", "\"tools\"", "\"$ref\"",
        "\"#/$defs/n\"", "\"#/$defs/x\"", "\"anyOf\"", "\"enum\"", "\"pattern\"", "\"minimum\"", "\"type\"", "\"items\"",
        "[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{\"a\":", "\"max_tokens\"", "\"n\"", "\"logit_bias\"", "\"json_schema\"",
        "\"function\"", "\"assistant\"", "\"tool\"", "\"system\"", "\"<|user|>\"", "\"</s>\"", "\"\u00e9\u2713\"",
    }.Select(Encoding.UTF8.GetBytes), [0xFF], [0xC3], [0xED, 0xA0, 0x80]];

    public int HotLength(byte[] seed) => seed.Length;

    public bool Run(byte[] input)
    {
        var body = ChatRequestReader.Parse(input);
        var (request, _) = ChatRequestReader.ToChatRequest(body, model);
        _ = ChatRequestValidator.Check(request, ContextSize);
        _ = ChatRequestValidator.Sampling(request);
        return true;
    }

    public bool IsOwnError(Exception exception) => exception is ChatRequestException;
}
