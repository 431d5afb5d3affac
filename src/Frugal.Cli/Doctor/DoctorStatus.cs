namespace Frugal.Cli.Doctor;

/// <summary>The verdict of one doctor check.</summary>
internal enum DoctorStatus
{
    Pass,
    Warn,
    Fail,
}
