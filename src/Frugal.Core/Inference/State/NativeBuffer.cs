using System.Buffers;
using System.Runtime.InteropServices;

namespace Frugal.Inference.State;

/// <summary>
/// A byte buffer outside the managed heap for one KV state on its way between the native context and a
/// file (tens of MiB). On Linux it is its own anonymous mapping, so disposing it gives the memory back to
/// the kernel at once: a managed array of that size would stay on the large-object heap until a full
/// collection, and a <c>malloc</c> block of it may stay in the C heap after <c>free</c>.
/// </summary>
internal sealed unsafe partial class NativeBuffer : MemoryManager<byte>
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 2;
    private const int MapAnonymous = 0x20;

    private readonly bool _mapped;
    private byte* _pointer;

    private NativeBuffer(byte* pointer, int length, bool mapped)
    {
        _pointer = pointer;
        Length = length;
        _mapped = mapped;
    }

    /// <summary>Bytes in the buffer.</summary>
    public int Length { get; }

    /// <summary>The first byte (valid until disposed).</summary>
    public byte* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(NativeBuffer));

    /// <summary>A buffer of <paramref name="length"/> uninitialized bytes.</summary>
    /// <exception cref="OutOfMemoryException">The kernel refused the memory.</exception>
    public static NativeBuffer Allocate(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.MaxLength);
        var size = (int)Math.Max(length, 1);
        if (OperatingSystem.IsLinux())
        {
            var address = Mmap(0, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            return address == -1
                ? throw new OutOfMemoryException($"could not map {size} bytes for a session state")
                : new NativeBuffer((byte*)address, (int)length, mapped: true);
        }

        return new NativeBuffer((byte*)NativeMemory.Alloc((nuint)size), (int)length, mapped: false);
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => new(Pointer, Length);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, Length);
        return new MemoryHandle(Pointer + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Native memory never moves.
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        var pointer = _pointer;
        _pointer = null;
        if (pointer == null)
        {
            return;
        }

        if (_mapped)
        {
            _ = Munmap((nint)pointer, (nuint)Math.Max(Length, 1));
        }
        else
        {
            NativeMemory.Free(pointer);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
