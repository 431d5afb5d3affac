using System.Text;
using Frugal.Models;
using Frugal.Server.Endpoints;
using Frugal.Server.Endpoints.Anthropic;
using Frugal.Server.Endpoints.Ollama;

namespace Frugal.Testing.Fuzzing;

/// <summary>
/// The request readers of every dialect as fuzz targets (<see cref="RequestFuzzTarget"/>): OpenAI's
/// <c>/v1/chat/completions</c> and <c>/v1/completions</c>, Ollama's <c>/api/chat</c> and <c>/api/generate</c>,
/// Anthropic's <c>/v1/messages</c>. Seeds are requests of every shape each endpoint accepts, for a model named
/// <c>tiny</c>; dictionaries hold JSON punctuation, awkward numbers and strings, and the dialect's field names.
/// </summary>
public static class RequestFuzzTargets
{
    public static RequestFuzzTarget Chat(ModelInfo model) => new("chat", model, Utf8(
        """{"model":"tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"max_tokens":16,"temperature":0.5,"top_p":0.9,"seed":7,"stop":["\n\n","END"],"stream":true,"stream_options":{"include_usage":true}}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Give a person"}],"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string","maxLength":20},"age":{"type":"integer","minimum":0,"maximum":150},"born":{"type":"string","format":"date"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3},"next":{"anyOf":[{"$ref":"#/$defs/n"},{"type":"null"}]}},"required":["name"],"additionalProperties":false,"$defs":{"n":{"type":"number"}}}}}}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,"max_completion_tokens":32}""",
        """{"model":"tiny","messages":[{"role":"developer","content":[{"type":"text","text":"hi"},{"type":"text","text":" there"}]},{"role":"user","content":"ok"}],"response_format":{"type":"json_object"},"n":1,"stop":"x"}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Two lookups"}],"tools":[{"type":"function","function":{"name":"add","parameters":{"type":"object","properties":{"x":{"type":"integer","minimum":1},"y":{"type":"number"}},"required":["x"]}}},{"type":"function","function":{"name":"now","description":"the time","parameters":{"type":"object","properties":{}}}}],"tool_choice":"required","parallel_tool_calls":true,"stream":true}"""),
        Dictionary("\"messages\"", "\"role\"", "\"content\"", "\"tool_calls\"", "\"tools\"", "\"$ref\"", "\"#/$defs/n\"", "\"#/$defs/x\"",
            "\"anyOf\"", "\"enum\"", "\"pattern\"", "\"minimum\"", "\"type\"", "\"items\"", "\"max_tokens\"", "\"n\"", "\"logit_bias\"",
            "\"json_schema\"", "\"function\"", "\"assistant\"", "\"tool\"", "\"system\"", "\"developer\"", "\"tool_choice\"", "\"required\"",
            "\"parallel_tool_calls\"", "\"arguments\"", "\"tool_call_id\"", "\"parameters\""),
        body =>
        {
            var (request, _) = ChatRequestReader.ToChatRequest(ChatRequestReader.Parse(body), model);
            return request;
        });

    public static RequestFuzzTarget Completions(ModelInfo model) => new("completions", model, Utf8(
        """{"model":"tiny","prompt":"Once upon a time","max_tokens":16,"temperature":0.7,"top_p":0.9,"seed":3,"stop":["\n","END"],"stream":true,"stream_options":{"include_usage":true}}""",
        """{"model":"tiny","prompt":[1,450,996,117],"max_tokens":4,"n":1}""",
        """{"prompt":["one prompt in an array"],"stop":"x","presence_penalty":0,"frequency_penalty":0}""",
        """{"model":"tiny","prompt":[[1,2,3,4]],"temperature":0,"logprobs":null,"echo":false}"""),
        Dictionary("\"prompt\"", "\"max_tokens\"", "\"best_of\"", "\"echo\"", "\"suffix\"", "\"logprobs\"", "\"logit_bias\"", "\"n\"",
            "[1,2]", "[[1],[2]]", "[\"a\",\"b\"]", "32000", "2147483648", "-2147483649"),
        body => CompletionRequestReader.ToChatRequest(CompletionRequestReader.Parse(body), model).Request);

    public static RequestFuzzTarget OllamaChat(ModelInfo model) => new("ollama-chat", model, Utf8(
        """{"model":"tiny:latest","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"stream":false,"options":{"num_predict":16,"temperature":0.5,"top_p":0.9,"top_k":40,"seed":7,"stop":["\n"],"num_ctx":256},"keep_alive":"5m"}""",
        """{"model":"tiny","messages":[{"role":"user","content":"a person"}],"format":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]}}""",
        """{"model":"tiny","messages":[{"role":"user","content":"json","images":[]},{"role":"assistant","content":"{}"},{"role":"user","content":"again"}],"format":"json","think":false,"tools":[]}""",
        """{"model":"tiny","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},{"role":"tool","tool_name":"get_weather","content":"sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"stream":false}"""),
        Dictionary("\"messages\"", "\"role\"", "\"content\"", "\"options\"", "\"num_predict\"", "\"num_ctx\"", "\"top_k\"", "\"format\"",
            "\"json\"", "\"images\"", "\"tool_calls\"", "\"think\"", "\"keep_alive\"", "\"mirostat\"", ":latest", "-1", "-2",
            "\"tools\"", "\"tool_name\"", "\"function\"", "\"arguments\"", "\"parameters\""),
        body => OllamaRequestReader.ToChatRequest(OllamaRequestReader.ParseChat(body), model, RequestFuzzTarget.ContextSize).Request);

    public static RequestFuzzTarget OllamaGenerate(ModelInfo model) => new("ollama-generate", model, Utf8(
        """{"model":"tiny","prompt":"Why is the sky blue?","system":"Be brief.","stream":false,"options":{"num_predict":8,"seed":1,"top_k":5}}""",
        """{"model":"tiny:latest","prompt":"raw text","raw":true,"options":{"num_predict":-1,"stop":"x"},"keep_alive":0}""",
        """{"model":"tiny","prompt":"a list","format":{"type":"array","items":{"type":"string"}},"suffix":"","template":"","context":[],"images":[]}"""),
        Dictionary("\"prompt\"", "\"system\"", "\"raw\"", "\"options\"", "\"num_predict\"", "\"num_ctx\"", "\"format\"", "\"json\"",
            "\"suffix\"", "\"template\"", "\"context\"", "\"images\"", "\"think\"", "\"keep_alive\"", ":latest", "-1", "-2"),
        body => OllamaRequestReader.ToChatRequest(OllamaRequestReader.ParseGenerate(body), model, RequestFuzzTarget.ContextSize));

    public static RequestFuzzTarget AnthropicMessages(ModelInfo model) => new("anthropic-messages", model, Utf8(
        """{"model":"tiny","max_tokens":16,"system":"Be brief.","messages":[{"role":"user","content":"Hello"}],"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u1"}}""",
        """{"model":"tiny","max_tokens":8,"system":[{"type":"text","text":"sys"}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":"hello"},{"role":"user","content":"more"}]}""",
        """{"model":"tiny","max_tokens":32,"tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true},"messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":[{"type":"text","text":"Looking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},{"type":"text","text":"and?"}]}]}""",
        """{"model":"tiny","max_tokens":16,"stream":true,"tools":[{"name":"lookup","input_schema":{"type":"object","properties":{"q":{"type":"string","maxLength":10}}}}],"tool_choice":{"type":"tool","name":"lookup"},"messages":[{"role":"user","content":"Look it up"}]}"""),
        Dictionary("\"messages\"", "\"role\"", "\"content\"", "\"system\"", "\"max_tokens\"", "\"stop_sequences\"", "\"top_k\"", "\"text\"",
            "\"type\"", "\"image\"", "\"tool_use\"", "\"tool_result\"", "\"thinking\"", "\"tools\"", "\"tool_choice\"", "\"assistant\"",
            "\"input_schema\"", "\"tool_use_id\"", "\"input\"", "\"is_error\"", "\"disable_parallel_tool_use\"", "\"any\"", "\"name\""),
        body => AnthropicRequestReader.ToChatRequest(AnthropicRequestReader.Parse(body), model).Request);

    /// <summary>Every dialect's target, in the order above.</summary>
    public static IReadOnlyList<RequestFuzzTarget> All(ModelInfo model) =>
        [Chat(model), Completions(model), OllamaChat(model), OllamaGenerate(model), AnthropicMessages(model)];

    private static byte[][] Utf8(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];

    // JSON punctuation, numbers at the edges of their types, strings the readers must refuse or keep, then the fields.
    private static byte[][] Dictionary(params string[] fields) =>
    [
        .. Utf8("{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "0", "1e400", "-0.0", "1e-45", "99999999999999999999",
            "\"\\ud800\"", "\\u0000", "\\\"", "\"model\"", "\"stream\"", "\"temperature\"", "\"top_p\"", "\"seed\"", "\"stop\"",
            "[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{\"a\":", "\"<|user|>\"", "\"</s>\"", "\"\u00e9\u2713\"", "\"tiny\""),
        .. Utf8(fields), [0xFF], [0xC3], [0xED, 0xA0, 0x80],
    ];
}
