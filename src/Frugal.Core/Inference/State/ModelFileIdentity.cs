using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Frugal.Inference.State;

/// <summary>
/// Names a model file by what it is, not where it is: a hash of its length, its modification time
/// and its first MiB. Saved KV states are keyed by it, so they survive a restart but never feed a
/// different (or rewritten) model.
/// </summary>
public static class ModelFileIdentity
{
    private const int HeadBytes = 1024 * 1024;

    /// <summary>Computes the identity of the file at <paramref name="path"/> as 64 lowercase hex digits.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Compute(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(header, info.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], info.LastWriteTimeUtc.Ticks);
        hash.AppendData(header);

        var buffer = new byte[(int)Math.Min(HeadBytes, info.Length)];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            stream.ReadExactly(buffer);
        }

        hash.AppendData(buffer);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
