namespace Frugal.Web.Tests.Infrastructure;

/// <summary>All browser tests share one Chromium and run one at a time (the box has few cores).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
