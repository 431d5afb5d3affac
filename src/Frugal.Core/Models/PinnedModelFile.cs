using Microsoft.Win32.SafeHandles;

namespace Frugal.Models;

/// <summary>
/// A model file held open from its validation to its load: llama.cpp is given <c>/proc/self/fd/N</c>, the very
/// file the reader checked, so nobody can swap another file in under the same name between the check and the
/// mmap. Where <c>/proc</c> is missing (not Linux) it falls back to the path.
/// </summary>
public sealed class PinnedModelFile : IDisposable
{
    private readonly FileStream _stream;

    private PinnedModelFile(string path, FileStream stream, GgufFile file)
    {
        Path = path;
        _stream = stream;
        File = file;
        var descriptor = $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}";
        LoadPath = OperatingSystem.IsLinux() && System.IO.File.Exists(descriptor) ? descriptor : path;
    }

    /// <summary>The path the file was opened by.</summary>
    public string Path { get; }

    /// <summary>The validated header of the open file.</summary>
    public GgufFile File { get; }

    /// <summary>What to give native code to open: the held file itself where the OS allows.</summary>
    public string LoadPath { get; }

    /// <summary>The handle of the held file.</summary>
    public SafeFileHandle Handle => _stream.SafeFileHandle;

    /// <summary>Opens <paramref name="path"/> and validates its header with <see cref="GgufReader"/>, keeping it open.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable or malformed.</exception>
    public static PinnedModelFile Open(string path)
    {
        var stream = GgufReader.OpenStream(path);
        try
        {
            return new PinnedModelFile(path, stream, GgufReader.Read(stream, path));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
