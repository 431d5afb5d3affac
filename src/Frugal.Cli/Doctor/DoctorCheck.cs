namespace Frugal.Cli.Doctor;

/// <summary>One line of <c>frugal doctor</c>: what was checked, the verdict, the figures and what to do.</summary>
internal sealed record DoctorCheck(string Name, DoctorStatus Status, string Detail, string? Recommendation = null)
{
    public static DoctorCheck Pass(string name, string detail) => new(name, DoctorStatus.Pass, detail);

    public static DoctorCheck Warn(string name, string detail, string recommendation) => new(name, DoctorStatus.Warn, detail, recommendation);

    public static DoctorCheck Fail(string name, string detail, string recommendation) => new(name, DoctorStatus.Fail, detail, recommendation);
}
