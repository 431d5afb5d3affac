namespace Frugal.Models;

/// <summary>
/// Reads and validates the header of a GGUF file (versions 2 and 3): metadata, tensor table and the
/// placement of every tensor's data. Nothing in the file is trusted: every count and length is checked
/// against the file's size before it is used, so a malformed file never reaches native code and
/// never causes a large allocation.
/// </summary>
public static class GgufReader
{
    /// <summary>Reads <paramref name="path"/>; only the header is read, the tensor data is not.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable or malformed.</exception>
    public static GgufFile Read(string path)
    {
        using var stream = OpenStream(path);
        return Read(stream, path);
    }

    /// <summary>Reads the header of an open file from its start; the stream stays open.</summary>
    /// <exception cref="ModelFileException">The file is unreadable or malformed.</exception>
    public static GgufFile Read(FileStream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            stream.Position = 0;
            return new GgufParser(stream, path, stream.Length).Parse();
        }
        catch (EndOfStreamException e)
        {
            // The file shrank while we read it.
            throw new ModelFileException(path, "the file ended unexpectedly while being read", e);
        }
        catch (IOException e)
        {
            throw new ModelFileException(path, $"cannot read the file: {e.Message}", e);
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading (shared), or says why it cannot.</summary>
    /// <exception cref="ModelFileException">The file is missing, a directory or unreadable.</exception>
    internal static FileStream OpenStream(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ModelFileException(path, "is a directory, not a model file");
        }

        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "file not found");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (IOException e)
        {
            throw new ModelFileException(path, $"cannot read the file: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ModelFileException(path, "permission denied", e);
        }
    }
}
