namespace Frugal.Grammars;

/// <summary>
/// The GBNF rules of plain JSON values, added to a grammar when first used. Every value is followed by
/// <c>space</c>: at most one blank, so a small model cannot wander off into whitespace. Numbers have at most 16
/// integer digits and 16 decimals (and no exponent): the grammar always ends, and every number parses as a double.
/// </summary>
internal static class JsonRules
{
    public const string Space = "space";
    public const string Value = "value";
    public const string String = "string";
    public const string Char = "char";
    public const string Integer = "integer";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Null = "null";
    public const string Object = "object";
    public const string Array = "array";

    /// <summary>An optional fraction: a dot and 1 to 16 digits.</summary>
    public const string Fraction = "\".\" [0-9]{1,16}";

    /// <summary>Adds the rule <paramref name="name"/> (and the rules it uses) unless present; returns its name.</summary>
    public static string Use(GbnfRules rules, string name)
    {
        if (rules.Has(name))
        {
            return name;
        }

        switch (name)
        {
            case Space:
                rules.Set(Space, "\" \"?");
                break;
            case Char:
                rules.Set(Char, "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})");
                break;
            case String:
                rules.Set(String, $"\"\\\"\" {Use(rules, Char)}* \"\\\"\" {Use(rules, Space)}");
                break;
            case Integer:
                rules.Set(Integer, $"{IntegerRangeRule.Expression(null, null)} {Use(rules, Space)}");
                break;
            case Number:
                rules.Set(Number, $"{IntegerRangeRule.Expression(null, null)} ({Fraction})? {Use(rules, Space)}");
                break;
            case Boolean:
                rules.Set(Boolean, $"(\"true\" | \"false\") {Use(rules, Space)}");
                break;
            case Null:
                rules.Set(Null, $"\"null\" {Use(rules, Space)}");
                break;
            case Value:
                rules.Set(Value, "");
                rules.Set(Value, $"{Use(rules, Object)} | {Use(rules, Array)} | {Use(rules, String)} | {Use(rules, Number)} | {Use(rules, Boolean)} | {Use(rules, Null)}");
                break;
            case Object:
                rules.Set(Object, "");
                var member = $"{Use(rules, String)} \":\" {Use(rules, Space)} {Use(rules, Value)}";
                rules.Set(Object, $"\"{{\" {Use(rules, Space)} ({member} (\",\" {Use(rules, Space)} {member})*)? \"}}\" {Use(rules, Space)}");
                break;
            case Array:
                rules.Set(Array, "");
                rules.Set(Array, $"\"[\" {Use(rules, Space)} ({Use(rules, Value)} (\",\" {Use(rules, Space)} {Use(rules, Value)})*)? \"]\" {Use(rules, Space)}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "Not a JSON rule.");
        }

        return name;
    }
}
