using System.Buffers.Binary;

namespace Frugal.Bench.Tests;

/// <summary>The ceiling's read loops: whatever the pattern, they read every byte once and add the same words.</summary>
public sealed class MemoryReadPatternTests
{
    public static TheoryData<int, int> Lengths => new()
    {
        { 0, 0 }, { 7, 1 }, { 64, 0 }, { 1000, 3 }, { (64 * 16 * 3) + 5, 0 }, { (1 << 20) + 13, 5 },
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public unsafe void Sum_EveryPattern_EqualsTheWrappingSumOfTheBlocksLittleEndianWords(int length, int misalignment)
    {
        var buffer = new byte[length + misalignment];
        new Random(length).NextBytes(buffer);
        var block = buffer.AsSpan(misalignment);
        var expected = WordSum(block);

        fixed (byte* data = block)
        {
            foreach (var pattern in MemoryReadPattern.All)
            {
                Assert.True(expected == pattern.Sum(data, length), $"{pattern.Name} over {length} bytes");
            }
        }
    }

    [Fact]
    public unsafe void Sum_OneByteChangedInEachStreamsPart_SumMovesByThatByte()
    {
        var pattern = new MemoryReadPattern(8, 1024);
        var buffer = new byte[(64 * 8 * 10) + 11];
        fixed (byte* data = buffer)
        {
            var before = pattern.Sum(data, buffer.Length);
            for (var at = 3; at < buffer.Length; at += 64 * 10)
            {
                buffer[at]++;
                var after = pattern.Sum(data, buffer.Length);
                Assert.Equal(1UL << (8 * (at % 8)), after - before);
                before = after;
            }
        }
    }

    [Fact]
    public void Name_StreamsAndPrefetch_SaysBoth()
    {
        Assert.Equal("streams1", new MemoryReadPattern(1, 0).Name);
        Assert.Equal("streams8+prefetch1024", new MemoryReadPattern(8, 1024).Name);
        Assert.Equal(MemoryReadPattern.All.Count, MemoryReadPattern.All.Select(p => p.Name).Distinct().Count());
    }

    [Fact]
    public unsafe void Sum_NoStreams_RefusedWithClearArgument()
    {
        // Refused before anything is read, so no memory is needed.
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryReadPattern(0, 0).Sum(null, 64));

        Assert.Equal("Streams", refused.ParamName);
    }

    private static ulong WordSum(ReadOnlySpan<byte> block)
    {
        var sum = 0UL;
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < block.Length; i += 8)
        {
            word.Clear();
            block.Slice(i, Math.Min(8, block.Length - i)).CopyTo(word);
            sum += BinaryPrimitives.ReadUInt64LittleEndian(word);
        }

        return sum;
    }
}
