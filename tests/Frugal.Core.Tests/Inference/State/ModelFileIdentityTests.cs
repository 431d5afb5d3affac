using Frugal.Inference.State;

namespace Frugal.Tests.Inference.State;

public sealed class ModelFileIdentityTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "frugal-identity-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Compute_SameFile_SameIdentity()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);

        Assert.Equal(ModelFileIdentity.Compute(_path), ModelFileIdentity.Compute(_path));
        Assert.Equal(64, ModelFileIdentity.Compute(_path).Length);
    }

    [Fact]
    public void Compute_ContentChangedTimeKept_DifferentIdentity()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);
        var time = File.GetLastWriteTimeUtc(_path);
        var before = ModelFileIdentity.Compute(_path);

        File.WriteAllBytes(_path, [1, 2, 4]);
        File.SetLastWriteTimeUtc(_path, time);

        Assert.NotEqual(before, ModelFileIdentity.Compute(_path));
    }

    [Fact]
    public void Compute_Touched_DifferentIdentity()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);
        var before = ModelFileIdentity.Compute(_path);

        File.SetLastWriteTimeUtc(_path, File.GetLastWriteTimeUtc(_path).AddMinutes(1));

        Assert.NotEqual(before, ModelFileIdentity.Compute(_path));
    }
}
