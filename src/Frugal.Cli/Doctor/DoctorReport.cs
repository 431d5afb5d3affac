using System.Text.Encodings.Web;
using System.Text.Json;

namespace Frugal.Cli.Doctor;

/// <summary>All checks of one doctor run, its exit code (0 all pass, 1 warnings, 2 a failure) and its two renderings.</summary>
internal sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    public int ExitCode => Checks.Any(c => c.Status == DoctorStatus.Fail) ? 2 : Checks.Any(c => c.Status == DoctorStatus.Warn) ? 1 : 0;

    public void WriteText(TextWriter output)
    {
        var width = Checks.Max(c => c.Name.Length);
        foreach (var check in Checks)
        {
            output.WriteLine($"{Label(check.Status)}  {check.Name.PadRight(width)}  {check.Detail}");
            if (check.Recommendation is not null)
            {
                output.WriteLine($"      {new string(' ', width)}  -> {check.Recommendation}");
            }
        }

        var warnings = Checks.Count(c => c.Status == DoctorStatus.Warn);
        var failures = Checks.Count(c => c.Status == DoctorStatus.Fail);
        output.WriteLine($"{Checks.Count} checks: {Checks.Count - warnings - failures} pass, {warnings} warn, {failures} fail");
    }

    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("exit_code", ExitCode);
        json.WriteStartArray("checks");
        foreach (var check in Checks)
        {
            json.WriteStartObject();
            json.WriteString("name", check.Name);
            json.WriteString("status", Label(check.Status).Trim().ToLowerInvariant());
            json.WriteString("detail", check.Detail);
            if (check.Recommendation is not null)
            {
                json.WriteString("recommendation", check.Recommendation);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static string Label(DoctorStatus status) => status switch
    {
        DoctorStatus.Pass => "PASS",
        DoctorStatus.Warn => "WARN",
        _ => "FAIL",
    };
}
