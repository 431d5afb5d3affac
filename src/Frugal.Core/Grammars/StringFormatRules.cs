namespace Frugal.Grammars;

/// <summary>
/// GBNF for the string <c>format</c>s Frugal constrains (inside the quotes): <c>date</c> (RFC 3339 full-date;
/// February up to the 28th, so every date written exists in every year), <c>time</c> (full-time with a zone),
/// <c>date-time</c> and <c>uuid</c>.
/// </summary>
internal static class StringFormatRules
{
    private const string Month31 = "(\"0\" [13578] | \"1\" [02])";
    private const string Month30 = "(\"0\" [469] | \"11\")";
    private const string Day28 = "(\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8])";
    private const string Day30 = "(\"0\" [1-9] | [12] [0-9] | \"30\")";
    private const string Day31 = "(\"0\" [1-9] | [12] [0-9] | \"3\" [01])";
    private const string Hour = "([01] [0-9] | \"2\" [0-3])";
    private const string Minute = "[0-5] [0-9]";
    private const string Hex = "[0-9a-fA-F]";

    /// <summary>The formats understood, for error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["date", "time", "date-time", "uuid"];

    /// <summary>The expression for <paramref name="format"/>, or null when it is not one of <see cref="Names"/>.</summary>
    public static string? Expression(string format, GbnfRules rules) => format switch
    {
        "date" => rules.Add("date", Date),
        "time" => rules.Add("time", Time),
        "date-time" => $"{rules.Add("date", Date)} \"T\" {rules.Add("time", Time)}",
        "uuid" => $"{Hex}{{8}} \"-\" {Hex}{{4}} \"-\" {Hex}{{4}} \"-\" {Hex}{{4}} \"-\" {Hex}{{12}}",
        _ => null,
    };

    private static string Date =>
        $"[1-9] [0-9]{{3}} \"-\" ({Month31} \"-\" {Day31} | {Month30} \"-\" {Day30} | \"02-\" {Day28})";

    private static string Time =>
        $"{Hour} \":\" {Minute} \":\" {Minute} (\".\" [0-9]{{1,6}})? (\"Z\" | [+-] {Hour} \":\" {Minute})";
}
