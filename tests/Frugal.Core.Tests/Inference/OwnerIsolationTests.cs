namespace Frugal.Tests.Inference;

/// <summary>One user's prompt left in the model's cells is never reused for another user's (issue 14 §5a).</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class OwnerIsolationTests(TinyEngineFixture fixture)
{
    [Fact]
    public async Task GenerateAsync_SamePromptFromAnotherOwner_ReusesOnlyTheOpening()
    {
        var request = GenerationRuns.Greedy("The secret word of the day is periwinkle.", maxTokens: 4);

        var (_, alice, _) = await GenerationRuns.RunAsync(fixture.Engine, request with { Owner = "alice" }, TestContext.Current.CancellationToken);
        var (_, bob, _) = await GenerationRuns.RunAsync(fixture.Engine, request with { Owner = "bob" }, TestContext.Current.CancellationToken);
        var (_, bobAgain, _) = await GenerationRuns.RunAsync(fixture.Engine, request with { Owner = "bob" }, TestContext.Current.CancellationToken);

        // bob's guess of alice's whole prompt earns him nothing (his cached tokens and speed would tell him it matched).
        Assert.True(bob.CachedPromptTokens <= 1, $"bob reused {bob.CachedPromptTokens} of alice's {alice.PromptTokens} tokens");
        // His own cells are reused as before: all but the last prompt token, evaluated again for its logits.
        Assert.Equal(bobAgain.PromptTokens - 1, bobAgain.CachedPromptTokens);
    }
}
