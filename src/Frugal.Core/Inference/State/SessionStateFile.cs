using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Frugal.Inference.State;

/// <summary>
/// The on-disk form of one kept state: a header, then one or more chunks, each the KV cells of the tokens
/// that follow the previous chunk's (a session's later turns are appended, not rewritten).
/// Layout (little endian): header = magic "FRUGALKV", version (u32), SHA-256 of the model identity
/// (32 bytes), SHA-256 of the session key (32 bytes); each chunk = token count (i32), state length (i64),
/// the tokens (i32 each), the state bytes, then SHA-256 of the header and the chunk up to there.
/// The identity and key hashes make a file that was renamed or belongs to another model detectable;
/// each chunk's checksum catches a torn or corrupted write.
/// </summary>
internal static class SessionStateFile
{
    public const int HeaderBytes = 76;
    private const int ChunkHeaderBytes = 12;
    private const int ChecksumBytes = 32;
    private const uint Version = 2;
    private static ReadOnlySpan<byte> Magic => "FRUGALKV"u8;

    /// <summary>The shape of a file's chunks, found by walking their headers (checksums are checked on <see cref="Read"/>).</summary>
    public readonly record struct Layout(int Tokens, int Chunks, long Length);

    /// <summary>The bytes one chunk of <paramref name="tokenCount"/> tokens and <paramref name="stateBytes"/> bytes of state takes.</summary>
    public static long ChunkLength(int tokenCount, long stateBytes) => ChunkHeaderBytes + (4L * tokenCount) + stateBytes + ChecksumBytes;

    /// <summary>The size of a file of one chunk.</summary>
    public static long FileLength(int tokenCount, long stateBytes) => HeaderBytes + ChunkLength(tokenCount, stateBytes);

    /// <summary>Writes a file of one chunk under a temporary name first and renames it, so a crash never leaves half a file under the real name.</summary>
    public static void Write(string path, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash, ReadOnlySpan<int> tokens, ReadOnlySpan<byte> state)
    {
        var temporary = path + ".tmp";
        Span<byte> header = stackalloc byte[HeaderBytes];
        WriteHeader(header, identityHash, keyHash);
        using (var stream = new FileStream(temporary, Frugal.Storage.PrivateData.NewFile(1 << 16)))
        {
            stream.Write(header);
            WriteChunk(stream, header, tokens, state);

            // On disk before the rename (a crash leaves the old file or the new one, whole), and clean
            // pages can then leave the page cache.
            stream.Flush(flushToDisk: true);
            PageCache.Drop(stream.SafeFileHandle);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Adds a chunk at the end of a file of <paramref name="length"/> bytes. A crash part-way leaves a torn
    /// last chunk, which <see cref="Walk"/> cuts off; a failed write is undone here.
    /// </summary>
    public static void Append(string path, long length, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash, ReadOnlySpan<int> tokens, ReadOnlySpan<byte> state)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        WriteHeader(header, identityHash, keyHash);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        if (stream.Length != length)
        {
            throw new IOException($"the state file is {stream.Length} bytes, {length} expected");
        }

        try
        {
            stream.Position = length;
            WriteChunk(stream, header, tokens, state);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            stream.SetLength(length);
            throw;
        }
        finally
        {
            PageCache.Drop(stream.SafeFileHandle);
        }
    }

    /// <summary>
    /// Checks the header and walks the chunk headers (cheap, at start): null when the file is not ours, for
    /// this model and key. A torn last chunk (a crash during an append) is cut off the file.
    /// </summary>
    public static Layout? Walk(string path, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) != HeaderBytes || !HeaderMatches(header, identityHash, keyHash))
        {
            return null;
        }

        var tokens = 0;
        var chunks = 0;
        long end = HeaderBytes;
        Span<byte> chunkHeader = stackalloc byte[ChunkHeaderBytes];
        while (end < stream.Length)
        {
            stream.Position = end;
            if (stream.ReadAtLeast(chunkHeader, ChunkHeaderBytes, throwOnEndOfStream: false) != ChunkHeaderBytes
                || !TryParseChunkHeader(chunkHeader, stream.Length - end, out var chunkTokens, out var stateLength)
                || (long)tokens + chunkTokens > int.MaxValue)
            {
                break;
            }

            tokens += chunkTokens;
            chunks++;
            end += ChunkLength(chunkTokens, stateLength);
        }

        if (chunks == 0)
        {
            return null;
        }

        if (end < stream.Length)
        {
            stream.SetLength(end);
        }

        return new Layout(tokens, chunks, end);
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
            if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) != HeaderBytes || !HeaderMatches(header, identityHash, keyHash))
            {
                return null;
            }

            // One buffer for all chunks' bytes, sized by the file (pages never written are never touched).
            var buffer = NativeBuffer.Allocate(stream.Length - HeaderBytes);
            var kept = false;
            try
            {
                var chunks = ReadChunks(stream, header, buffer);
                if (chunks is null)
                {
                    return null;
                }

                kept = true;
                return new SavedSessionState(chunks.Value.Tokens, chunks.Value.Chunks) { Owner = buffer, Extendable = true };
            }
            finally
            {
                if (!kept)
                {
                    ((IDisposable)buffer).Dispose();
                }
            }
        }
        finally
        {
            PageCache.Drop(stream.SafeFileHandle);
        }
    }

    private static (List<int> Tokens, List<SessionStateChunk> Chunks)? ReadChunks(FileStream stream, ReadOnlySpan<byte> header, NativeBuffer buffer)
    {
        var tokens = new List<int>();
        var chunks = new List<SessionStateChunk>();
        var used = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> chunkHeader = stackalloc byte[ChunkHeaderBytes];
        Span<byte> expected = stackalloc byte[ChecksumBytes];
        Span<byte> actual = stackalloc byte[ChecksumBytes];
        while (stream.Position < stream.Length)
        {
            if (stream.ReadAtLeast(chunkHeader, ChunkHeaderBytes, throwOnEndOfStream: false) != ChunkHeaderBytes
                || !TryParseChunkHeader(chunkHeader, stream.Length - stream.Position + ChunkHeaderBytes, out var tokenCount, out var stateLength))
            {
                return null;
            }

            hash.AppendData(header);
            hash.AppendData(chunkHeader);
            var chunkTokens = new int[tokenCount];
            var tokenBytes = MemoryMarshal.AsBytes(chunkTokens.AsSpan());
            if (stream.ReadAtLeast(tokenBytes, tokenBytes.Length, throwOnEndOfStream: false) != tokenBytes.Length)
            {
                return null;
            }

            hash.AppendData(tokenBytes);
            var state = buffer.Memory.Slice(used, checked((int)stateLength));
            var bytes = state.Span;
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
            {
                return null;
            }

            hash.AppendData(bytes);
            hash.GetHashAndReset(actual);
            if (stream.ReadAtLeast(expected, ChecksumBytes, throwOnEndOfStream: false) != ChecksumBytes || !actual.SequenceEqual(expected))
            {
                return null;
            }

            used += bytes.Length;
            tokens.AddRange(chunkTokens);
            chunks.Add(new SessionStateChunk(tokenCount, state));
        }

        return chunks.Count == 0 ? null : (tokens, chunks);
    }

    private static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash)
    {
        // Tokens are written in the machine's order; a little-endian check keeps files portable in principle.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Session state files are written on little-endian machines only.");
        }

        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        identityHash.CopyTo(header[12..44]);
        keyHash.CopyTo(header[44..76]);
    }

    private static void WriteChunk(FileStream stream, ReadOnlySpan<byte> header, ReadOnlySpan<int> tokens, ReadOnlySpan<byte> state)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> chunkHeader = stackalloc byte[ChunkHeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(chunkHeader, tokens.Length);
        BinaryPrimitives.WriteInt64LittleEndian(chunkHeader[4..], state.Length);
        var tokenBytes = MemoryMarshal.AsBytes(tokens);

        hash.AppendData(header);
        hash.AppendData(chunkHeader);
        stream.Write(chunkHeader);
        hash.AppendData(tokenBytes);
        stream.Write(tokenBytes);
        hash.AppendData(state);
        stream.Write(state);
        Span<byte> checksum = stackalloc byte[ChecksumBytes];
        hash.GetHashAndReset(checksum);
        stream.Write(checksum);
    }

    private static bool HeaderMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> identityHash, ReadOnlySpan<byte> keyHash) =>
        header[..8].SequenceEqual(Magic)
        && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Version
        && header[12..44].SequenceEqual(identityHash)
        && header[44..76].SequenceEqual(keyHash);

    /// <summary>Parses a chunk header; false when its lengths are impossible or run past the <paramref name="remaining"/> bytes from its start.</summary>
    private static bool TryParseChunkHeader(ReadOnlySpan<byte> chunkHeader, long remaining, out int tokenCount, out long stateLength)
    {
        tokenCount = BinaryPrimitives.ReadInt32LittleEndian(chunkHeader);
        stateLength = BinaryPrimitives.ReadInt64LittleEndian(chunkHeader[4..]);
        return tokenCount >= 0
            && stateLength >= 0 && stateLength <= Array.MaxLength
            && ChunkLength(tokenCount, stateLength) <= remaining;
    }
}
