using System.Globalization;
using System.Text;

namespace Frugal.Grammars;

/// <summary>
/// The rules of a grammar being written: each rule once (a body already written under another name is reused),
/// names unique and in GBNF's alphabet (letters, digits, dashes), and literals escaped for GBNF.
/// </summary>
internal sealed class GbnfRules
{
    private readonly Dictionary<string, string> _bodies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byBody = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>True when a rule of that name exists (or is reserved by <see cref="Reserve"/>).</summary>
    public bool Has(string name) => _bodies.ContainsKey(name);

    /// <summary>Adds <paramref name="body"/> under a name like <paramref name="hint"/>; returns the name used.</summary>
    public string Add(string hint, string body)
    {
        if (_byBody.TryGetValue(body, out var existing))
        {
            return existing;
        }

        var name = Reserve(hint);
        Set(name, body);
        return name;
    }

    /// <summary>Takes a fresh name like <paramref name="hint"/> for a rule whose body comes later (recursion).</summary>
    public string Reserve(string hint)
    {
        var stem = Sanitize(hint);
        var name = stem;
        for (var i = 2; _bodies.ContainsKey(name); i++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{i}");
        }

        _bodies[name] = "";
        _order.Add(name);
        return name;
    }

    /// <summary>Sets the body of a reserved (or fixed) rule.</summary>
    public void Set(string name, string body)
    {
        if (!_bodies.ContainsKey(name))
        {
            _order.Add(name);
        }

        _bodies[name] = body;
        if (body.Length > 0)
        {
            _byBody.TryAdd(body, name);
        }
    }

    /// <summary>The grammar text, one rule per line, in the order the rules were first named.</summary>
    public string Write()
    {
        var text = new StringBuilder();
        foreach (var name in _order)
        {
            text.Append(name).Append(" ::= ").Append(_bodies[name]).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A GBNF string literal that matches exactly <paramref name="value"/>.</summary>
    public static string Literal(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' or '\x7F' => text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }

    private static string Sanitize(string hint)
    {
        var text = new StringBuilder();
        foreach (var c in hint)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var name = text.ToString().Trim('-');
        return name.Length == 0 ? "rule" : name;
    }
}
