namespace Frugal.Tests.Models;

/// <summary>Where the shared fixtures are: ../shared/models next to the repository root (the folder holding Frugal.slnx).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "models"));

    public static string SharedModel(string name) => Path.Combine(SharedModels, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Frugal.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Frugal.slnx above {AppContext.BaseDirectory}.");
    }
}
