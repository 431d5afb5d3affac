namespace Frugal.Storage;

/// <summary>
/// Keeps the data directory private to the account that runs Frugal: conversations, keys' hashes and
/// KV states (which hold the prompts) are nobody else's business. Directories are created 0700 and
/// files 0600 whatever the umask; a directory others can write to is refused, because whoever can
/// write there can swap the database or a state file under the server. No-ops on Windows, where ACLs
/// are inherited from the parent folder.
/// </summary>
public static class PrivateData
{
    /// <summary>The mode of directories Frugal creates: owner only.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The mode of files Frugal creates: owner read and write.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="path"/> (and missing parents) with <see cref="DirectoryMode"/>, or checks the existing
    /// one. Throws <see cref="UnauthorizedAccessException"/> with what to do when others may write to it.
    /// </summary>
    public static string EnsureDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return full;
        }

        if (!Directory.Exists(full))
        {
            // The mode given to CreateDirectory applies to the last level only: create the missing parents one by one.
            var missing = new Stack<string>();
            for (var level = full; level is not null && !Directory.Exists(level); level = Path.GetDirectoryName(level))
            {
                missing.Push(level);
            }

            while (missing.TryPop(out var level))
            {
                Directory.CreateDirectory(level, DirectoryMode);
            }

            return full;
        }

        if (Problem(full) is { } problem && problem.Refused)
        {
            throw new UnauthorizedAccessException(problem.Message);
        }

        return full;
    }

    /// <summary>
    /// What is wrong with the permissions of an existing <paramref name="directory"/>, or null when only its owner
    /// can reach it. <c>Refused</c>: others (or the group, without the sticky bit) can write to it.
    /// </summary>
    public static (bool Refused, string Message)? Problem(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(directory);
        var octal = Convert.ToString((int)mode & 0x1FF, 8);
        if ((mode & (UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0 && (mode & UnixFileMode.StickyBit) == 0)
        {
            return (true, $"The data directory {directory} is writable by other users (mode {octal}): they could replace the database or " +
                $"the saved session states. Run 'chmod 700 {directory}' or choose another --data directory.");
        }

        return (mode & GroupOrOthers) != 0
            ? (false, $"The data directory {directory} can be read by other users (mode {octal}); its conversations and session " +
                $"states are private. Run 'chmod 700 {directory}'.")
            : null;
    }

    /// <summary>Creates <paramref name="path"/> empty with <see cref="FileMode"/> when missing; narrows an existing file of ours to it.</summary>
    public static void EnsureFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = System.IO.FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = FileMode,
                });
                return;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another opener created it between the check and the create (several stores opening one
                // database at once): it is ours too, narrowed below like any existing file.
            }
        }

        Narrow(path);
    }

    /// <summary>Sets <see cref="FileMode"/> on an existing file when it allows more.</summary>
    public static void Narrow(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }

    /// <summary>Options for a new file (write, replacing any old one) created with <see cref="FileMode"/>.</summary>
    public static FileStreamOptions NewFile(int bufferSize)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }
}
