namespace Frugal.Cli.Native;

/// <summary>An installed CPU backend: the build chosen, what it scored, the <c>libllama.so</c> to load, and every build's score here.</summary>
internal sealed record CpuBackendInstall(string Variant, int Score, string Library, IReadOnlyDictionary<string, int> Scores);
