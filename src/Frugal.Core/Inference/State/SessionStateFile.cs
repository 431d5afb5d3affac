using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Frugal.Inference.State;

/// <summary>
/// The on-disk form of one kept state. Layout (little endian): magic "FRUGALKV", version (u32),
/// SHA-256 of the model identity (32 bytes), SHA-256 of the session key (32 bytes), token count (i32),
/// state length (i64), the tokens (i32 each), the state bytes, then SHA-256 of everything before it.
/// The identity and key hashes make a file that was renamed or belongs to another model detectable;
/// the trailing checksum catches a torn or corrupted write.
/// </summary>
internal static class SessionStateFile
{
    public const int HeaderBytes = 88;
    private const int ChecksumBytes = 32;
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "FRUGALKV"u8;

    /// <summary>The size of the file that holds <paramref name="tokenCount"/> tokens and <paramref name="stateBytes"/> bytes of state.</summary>
    public static long FileLength(int tokenCount, long stateBytes) => HeaderBytes + (4L * tokenCount) + stateBytes + ChecksumBytes;

    /// <summary>Writes the file to a temporary name first and renames it, so a crash never leaves half a file under the real name.</summary>
    public static void Write(string path, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash, ReadOnlySpan<int> tokens, ReadOnlySpan<byte> state)
    {
        var temporary = path + ".tmp";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        identityHash.CopyTo(header[12..44]);
        keyHash.CopyTo(header[44..76]);
        BinaryPrimitives.WriteInt32LittleEndian(header[76..], tokens.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[80..], state.Length);

        // Tokens are written in the machine's order; a little-endian check keeps files portable in principle.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Session state files are written on little-endian machines only.");
        }

        var tokenBytes = MemoryMarshal.AsBytes(tokens);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            hash.AppendData(header);
            stream.Write(header);
            hash.AppendData(tokenBytes);
            stream.Write(tokenBytes);
            hash.AppendData(state);
            stream.Write(state);

            Span<byte> checksum = stackalloc byte[ChecksumBytes];
            hash.GetHashAndReset(checksum);
            stream.Write(checksum);

            // On disk before the rename (a crash leaves the old file or the new one, whole), and clean
            // pages can then leave the page cache.
            stream.Flush(flushToDisk: true);
            PageCache.Drop(stream.SafeFileHandle);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Checks the header only (cheap, at start): the file is ours, for this model and this key, and whole.</summary>
    public static bool HeaderIsValid(string path, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        return stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) == HeaderBytes
            && TryParseHeader(header, identityHash, keyHash, stream.Length, out _, out _);
    }

    /// <summary>
    /// Reads and verifies the whole file; null when it is not a valid state for this model and key. The state
    /// bytes are read into native memory that the returned state gives back when disposed.
    /// </summary>
    public static SavedSessionState? Read(string path, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) != HeaderBytes
                || !TryParseHeader(header, identityHash, keyHash, stream.Length, out var tokenCount, out var stateLength))
            {
                return null;
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(header);
            var tokens = new int[tokenCount];
            var tokenBytes = MemoryMarshal.AsBytes(tokens.AsSpan());
            if (stream.ReadAtLeast(tokenBytes, tokenBytes.Length, throwOnEndOfStream: false) != tokenBytes.Length)
            {
                return null;
            }

            hash.AppendData(tokenBytes);
            IDisposable state = NativeBuffer.Allocate(stateLength);
            var kept = false;
            try
            {
                var buffer = (NativeBuffer)state;
                var bytes = buffer.GetSpan();
                if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                {
                    return null;
                }

                hash.AppendData(bytes);
                Span<byte> expected = stackalloc byte[ChecksumBytes];
                Span<byte> actual = stackalloc byte[ChecksumBytes];
                hash.GetHashAndReset(actual);
                if (stream.ReadAtLeast(expected, ChecksumBytes, throwOnEndOfStream: false) != ChecksumBytes || !actual.SequenceEqual(expected))
                {
                    return null;
                }

                kept = true;
                return new SavedSessionState(tokens, buffer.Memory) { Owner = state };
            }
            finally
            {
                if (!kept)
                {
                    state.Dispose();
                }
            }
        }
        finally
        {
            PageCache.Drop(stream.SafeFileHandle);
        }
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> header, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash, long fileLength, out int tokenCount, out long stateLength)
    {
        tokenCount = BinaryPrimitives.ReadInt32LittleEndian(header[76..]);
        stateLength = BinaryPrimitives.ReadInt64LittleEndian(header[80..]);
        return header[..8].SequenceEqual(Magic)
            && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Version
            && header[12..44].SequenceEqual(identityHash)
            && header[44..76].SequenceEqual(keyHash)
            && tokenCount >= 0
            && stateLength >= 0 && stateLength <= Array.MaxLength
            && FileLength(tokenCount, stateLength) == fileLength;
    }
}
