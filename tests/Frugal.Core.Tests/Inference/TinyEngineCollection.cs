namespace Frugal.Tests.Inference;

/// <summary>The inference tests that share one <see cref="TinyEngineFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TinyEngineCollection : ICollectionFixture<TinyEngineFixture>
{
    public const string Name = "tiny engine";
}
