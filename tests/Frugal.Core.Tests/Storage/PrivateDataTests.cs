using Frugal.Inference.State;
using Frugal.Storage;

namespace Frugal.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateDataTests : IDisposable
{
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode755 = Mode700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly string _root = Directory.CreateTempSubdirectory("frugal-private-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SessionStateStore_NewDataDirectory_DirectoriesOwnerOnlyFilesReadWriteByOwner()
    {
        var data = Path.Combine(_root, "data");
        var store = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = data,
            ModelIdentity = "model",
            MemoryBudget = new ByteSize(0),
            DiskBudget = new ByteSize(1 << 20),
        });

        store.Put("session:1", [1, 2, 3], new byte[100]);

        var file = Assert.Single(Directory.EnumerateFiles(store.Directory));
        Assert.Equal(Mode600, File.GetUnixFileMode(file));
        Assert.Equal(Mode700, File.GetUnixFileMode(store.Directory));
        Assert.Equal(Mode700, File.GetUnixFileMode(Path.Combine(data, "kv")));
        Assert.Equal(Mode700, File.GetUnixFileMode(data));
    }

    [Fact]
    public void EnsureDirectory_WritableByOthers_RefusedWithWhatToDo()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_root, "shared")).FullName;
        File.SetUnixFileMode(shared, Mode755 | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite);

        var error = Assert.Throws<UnauthorizedAccessException>(() => PrivateData.EnsureDirectory(shared));

        Assert.Contains("writable by other users (mode 777)", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 700", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_ReadableByOthers_WarnsWithoutRefusing()
    {
        var open = Directory.CreateDirectory(Path.Combine(_root, "open")).FullName;
        File.SetUnixFileMode(open, Mode755);

        var problem = PrivateData.Problem(open);

        Assert.NotNull(problem);
        Assert.False(problem.Value.Refused);
        Assert.Contains("mode 755", problem.Value.Message, StringComparison.Ordinal);
        Assert.Equal(open, PrivateData.EnsureDirectory(open));
    }

    [Fact]
    public void EnsureFile_ExistingLooseFile_NarrowedToOwner()
    {
        var file = Path.Combine(_root, "frugal.db");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, Mode600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        PrivateData.EnsureFile(file);

        Assert.Equal(Mode600, File.GetUnixFileMode(file));
        Assert.Equal("x", File.ReadAllText(file));
    }
}
