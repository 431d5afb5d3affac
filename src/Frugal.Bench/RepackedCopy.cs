using System.Runtime.InteropServices;

namespace Frugal.Bench;

/// <summary>
/// Anonymous memory the size of llama.cpp's repacked weights, in the pages theirs gets, for the ceiling to read. llama.cpp
/// allocates its repacked CPU buffer with <c>ggml_aligned_malloc</c>: <c>posix_memalign</c> with 64-byte alignment, which
/// glibc serves with an <c>mmap</c> of its own for a size this large, and asks for no huge pages. With transparent huge
/// pages on <c>madvise</c> (the kernel's default, and this machine's) the buffer is therefore in 4 KiB pages: TinyLlama
/// Q4_K_M's 455 MiB area showed <c>AnonHugePages: 0 kB</c>, <c>THPeligible: 0</c> in <c>/proc/PID/smaps</c> (with
/// <c>always</c> it would get 2 MiB pages, and so would this one). This allocates the same way (.NET's aligned allocation
/// is the C library's, in the same process) and writes every byte, as the repacking does; so whatever gives llama.cpp's
/// buffer huge pages gives them to this one too (<c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c> did: 454 of the 455 MiB).
/// A smaller buffer read several times would not do: one core read a 64 MiB one ≈1.25x and a 128 MiB one ≈1.1x as
/// fast as 455 MiB, on a 32 MiB L3. Frugal's own CPU backend advises its repacked buffer <c>MADV_HUGEPAGE</c> before
/// writing it (native/cpu/frugal-repack-columns-hook.c), so when the engine's copy is in 2 MiB pages
/// (<see cref="HugePageReport.RepackedHugeBytes"/>) this one asks for them the same way.
/// </summary>
internal sealed unsafe class RepackedCopy : IDisposable
{
    private const nuint Alignment = 64; // ggml_aligned_malloc's on x86

    private RepackedCopy(byte* data, long length)
    {
        Data = data;
        Length = length;
    }

    /// <summary>The first byte.</summary>
    public byte* Data { get; private set; }

    /// <summary>Its size in bytes.</summary>
    public long Length { get; }

    /// <summary>
    /// Allocates <paramref name="length"/> bytes (at least 1) and fills them; with <paramref name="hugePages"/>, its whole
    /// 2 MiB pages advised <c>MADV_HUGEPAGE</c> first, as Frugal's backend advises its repacked buffer.
    /// </summary>
    public static RepackedCopy Allocate(long length, bool hugePages = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var data = (byte*)NativeMemory.AlignedAlloc((nuint)length, Alignment);
        if (hugePages)
        {
            _ = PageCache.AdviseHugePagesAt((nint)data, (nuint)length);
        }

        NativeMemory.Fill(data, (nuint)length, 0x5A);
        return new RepackedCopy(data, length);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(Data);
        Data = null;
    }
}
