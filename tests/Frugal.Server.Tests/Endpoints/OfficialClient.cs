using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Frugal.Tests.Endpoints;

/// <summary>The official OpenAI .NET client pointed at a test server, the way the OpenAI dialect's tests use it.</summary>
internal static class OfficialClient
{
    /// <summary>A chat client for the server's <c>/v1</c> with alice's key.</summary>
    public static ChatClient Chat(ServerFixture server) =>
        new("tiny", new ApiKeyCredential(server.AliceKey), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") });

    /// <summary>Sampled options (temperature 1) with a seed, so a run of the random model is repeatable.</summary>
    public static ChatCompletionOptions Seeded(int seed, int maxTokens) => new()
    {
        MaxOutputTokenCount = maxTokens,
        Temperature = 1f,
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        Seed = seed,
#pragma warning restore OPENAI001
    };
}
