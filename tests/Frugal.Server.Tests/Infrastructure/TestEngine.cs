using Frugal.Server.Hosting;

namespace Frugal.Tests.Infrastructure;

/// <summary>How test servers get their engine: the real engine on the tiny synthesized model.</summary>
internal static class TestEngine
{
    public static void Configure(FrugalServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
    }
}
