using Frugal.Inference.State;

namespace Frugal.Tests.Inference.State;

public sealed class NativeBufferTests
{
    [Fact]
    public void Allocate_LargeBuffer_HoldsWhatIsWrittenUntilDisposed()
    {
        IDisposable owner;
        using (var buffer = NativeBuffer.Allocate(40L * 1024 * 1024))
        {
            owner = buffer;
            var span = buffer.GetSpan();
            Assert.Equal(40 * 1024 * 1024, span.Length);
            span.Fill(0x5A);
            span[^1] = 7;

            Assert.Equal(0x5A, buffer.Memory.Span[12345]);
            Assert.Equal(7, buffer.Memory.Span[^1]);
        }

        Assert.Throws<ObjectDisposedException>(() => ((NativeBuffer)owner).GetSpan());
    }

    [Fact]
    public void Allocate_Empty_IsAnEmptySpan()
    {
        using var buffer = NativeBuffer.Allocate(0);

        Assert.Equal(0, buffer.GetSpan().Length);
    }

    [Fact]
    public void Allocate_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeBuffer.Allocate(-1));
}
