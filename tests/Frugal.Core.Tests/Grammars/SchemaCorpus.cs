namespace Frugal.Tests.Grammars;

/// <summary>The schemas constrained decoding is tested on: every supported keyword, alone and together.</summary>
internal static class SchemaCorpus
{
    public static TheoryData<string, string> Schemas { get; } = new()
    {
        { "flat object, all required, closed", """{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"},"ok":{"type":"boolean"}},"required":["name","age","ok"],"additionalProperties":false}""" },
        { "optional properties", """{"type":"object","properties":{"a":{"type":"string","maxLength":5},"b":{"type":"integer","minimum":0,"maximum":9},"c":{"type":"null"}},"required":["b"],"additionalProperties":false}""" },
        { "no required property", """{"type":"object","properties":{"x":{"type":"boolean"},"y":{"type":"boolean"}},"additionalProperties":false}""" },
        { "array bounds", """{"type":"array","items":{"type":"integer","minimum":-5,"maximum":5},"minItems":2,"maxItems":4}""" },
        { "string lengths", """{"type":"object","properties":{"code":{"type":"string","minLength":3,"maxLength":3},"note":{"type":"string","minLength":1,"maxLength":8}},"required":["code","note"]}""" },
        { "enum and const", """{"type":"object","properties":{"color":{"enum":["red","green","blue",null,7]},"kind":{"const":"fixed"}},"required":["color","kind"]}""" },
        { "formats", """{"type":"object","properties":{"day":{"type":"string","format":"date"},"at":{"type":"string","format":"time"},"when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"}},"required":["day","at","when","id"]}""" },
        { "integer bounds", """{"type":"array","items":{"type":"integer","minimum":17,"maximum":250},"minItems":3,"maxItems":3}""" },
        { "exclusive integer bounds", """{"type":"array","items":{"type":"integer","exclusiveMinimum":-20,"exclusiveMaximum":-3},"minItems":3,"maxItems":3}""" },
        { "number bounds", """{"type":"array","items":{"type":"number","minimum":-2,"maximum":3},"minItems":3,"maxItems":3}""" },
        { "anyOf",
            """{"anyOf":[{"type":"integer","minimum":0,"maximum":99},{"type":"string","maxLength":4},{"type":"array","items":{"type":"boolean"},"maxItems":2}]}""" },
        { "oneOf of objects", """{"oneOf":[{"type":"object","properties":{"cat":{"type":"boolean"}},"required":["cat"],"additionalProperties":false},{"type":"object","properties":{"dog":{"type":"integer","maximum":3,"minimum":1}},"required":["dog"],"additionalProperties":false}]}""" },
        { "type array and nullable", """{"type":"object","properties":{"maybe":{"type":["string","null"],"maxLength":3},"open":{"type":"integer","nullable":true,"minimum":0,"maximum":5}},"required":["maybe","open"]}""" },
        { "refs and defs", """{"$defs":{"point":{"type":"object","properties":{"x":{"type":"integer","minimum":0,"maximum":9},"y":{"type":"integer","minimum":0,"maximum":9}},"required":["x","y"],"additionalProperties":false}},"type":"object","properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},"required":["from","to"]}""" },
        { "recursive ref", """{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","minimum":0,"maximum":9},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"],"additionalProperties":false}},"$ref":"#/$defs/node"}""" },
        { "nested arrays of objects", """{"type":"object","properties":{"rows":{"type":"array","maxItems":2,"items":{"type":"object","properties":{"k":{"type":"string","maxLength":3},"v":{"type":"array","items":{"type":"boolean"},"maxItems":2}},"required":["k","v"]}}},"required":["rows"]}""" },
        { "annotations ignored", """{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"T","description":"d","type":"object","properties":{"n":{"type":"integer","description":"a number","minimum":1,"maximum":3,"default":2}},"required":["n"]}""" },
        { "scalar root", """{"type":"integer","minimum":100,"maximum":105}""" },
        { "empty array allowed", """{"type":"array","items":{"type":"string","maxLength":2},"maxItems":0}""" },
        { "escaped property names",
            """{"type":"object","properties":{"a \"quoted\" key":{"type":"boolean"},"ünï":{"const":"ß"}},"required":["a \"quoted\" key","ünï"]}""" },
    };
}
