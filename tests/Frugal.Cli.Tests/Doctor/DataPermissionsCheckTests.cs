using Frugal.Cli.Doctor;

namespace Frugal.Tests.Doctor;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataPermissionsCheckTests : IDisposable
{
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _data = Directory.CreateTempSubdirectory("frugal-doctor-data-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void CheckDataPermissions_OwnerOnly_Passes()
    {
        File.SetUnixFileMode(_data, Mode700);
        var file = Path.Combine(_data, "frugal.db");
        File.WriteAllText(file, "");
        File.SetUnixFileMode(file, Mode600);

        Assert.Equal(DoctorStatus.Pass, MachineDoctor.CheckDataPermissions(_data).Status);
    }

    [Fact]
    public void CheckDataPermissions_ReadableByOthers_Warns()
    {
        File.SetUnixFileMode(_data, Mode700 | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var check = MachineDoctor.CheckDataPermissions(_data);

        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains("chmod 700", check.Recommendation, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDataPermissions_LooseFileInside_WarnsNamingIt()
    {
        File.SetUnixFileMode(_data, Mode700);
        var file = Path.Combine(_data, "frugal.db-wal");
        File.WriteAllText(file, "");
        File.SetUnixFileMode(file, Mode600 | UnixFileMode.OtherRead);

        var check = MachineDoctor.CheckDataPermissions(_data);

        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains("frugal.db-wal", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDataPermissions_WritableByOthers_Fails()
    {
        File.SetUnixFileMode(_data, Mode700 | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        Assert.Equal(DoctorStatus.Fail, MachineDoctor.CheckDataPermissions(_data).Status);
    }
}
