using Frugal.Server.Endpoints;
using Frugal.Server.Endpoints.Anthropic;
using Frugal.Server.Endpoints.Ollama;
using Frugal.Server.Endpoints.Responses;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Hosting;

/// <summary>The table of contents of the HTTP surface: one line per API.</summary>
public static class FrugalEndpoints
{
    /// <summary>Maps every API. Each lives in its own static <c>…Api</c> class under <c>Endpoints/</c>.</summary>
    public static IEndpointRouteBuilder MapFrugalEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapSessionsApi();     // /api/sessions: conversations kept by the server
        endpoints.MapChatCompletionsApi(); // /v1/chat/completions: OpenAI-compatible, stateless
        endpoints.MapCompletionsApi();  // /v1/completions: OpenAI's legacy completions, a prompt without the chat template
        endpoints.MapResponsesApi();    // /v1/responses: OpenAI's Responses API, stateless
        endpoints.MapAnthropicMessagesApi(); // /v1/messages: Anthropic's Messages API
        endpoints.MapOllamaApi();       // /api/chat, /api/generate, /api/tags, …: Ollama's API (beside /api/sessions)
        endpoints.MapModelsApi();       // /v1/models
        endpoints.MapHealthApi();       // /health (liveness), /ready (model loaded)
        endpoints.MapStatusApi();       // /status (key needed): model, memory, queue, speeds
        endpoints.MapMetricsApi();      // /metrics: Prometheus text
        return endpoints;
    }
}
