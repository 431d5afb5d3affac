namespace Frugal.Models;

/// <summary>A model file is missing, unreadable or malformed. Says which file, where, and what is wrong.</summary>
public sealed class ModelFileException : Exception
{
    public ModelFileException(string path, long offset, string problem)
        : base($"{path}: at byte {offset}: {problem}")
    {
        FilePath = path;
        Offset = offset;
        Problem = problem;
    }

    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Offset = -1;
        Problem = problem;
    }

    public ModelFileException()
    {
        FilePath = "";
        Problem = "";
    }

    public ModelFileException(string message) : base(message)
    {
        FilePath = "";
        Problem = message;
    }

    public ModelFileException(string message, Exception innerException) : base(message, innerException)
    {
        FilePath = "";
        Problem = message;
    }

    /// <summary>The file that was read.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the problem, or -1 when it concerns the whole file.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }
}
