using System.Text.Json;
using Frugal.Models;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// What the two OpenAI generation bodies (chat and legacy completions) have in common: the model check, <c>n</c>, the
/// sampling fields carried into the <see cref="ChatRequest"/>, the shared parameters refused by name, and the
/// types their fields must have.
/// </summary>
internal static class OpenAIRequestReader
{
    /// <summary>A named model must be the one this server runs (404 <c>model_not_found</c>); no name is this one.</summary>
    public static void CheckModel(string? name, ModelInfo model, string modelsRoute = "GET /v1/models")
    {
        if (name is { Length: > 0 } && !model.IsNamed(name))
        {
            throw new ChatRequestException($"The model '{name}' does not exist; this server runs '{model.Id}' (see {modelsRoute}).",
                "model", "model_not_found", StatusCodes.Status404NotFound);
        }
    }

    /// <summary>Checks the model and <c>n</c> (only one choice per request is generated).</summary>
    public static void Check(OpenAIRequest request, ModelInfo model)
    {
        CheckModel(request.Model, model);
        if (request.N is { } count && count != 1)
        {
            throw new ChatRequestException($"Invalid value for 'n': {count}. Only n=1 is supported.", "n", "invalid_value");
        }
    }

    /// <summary>The first shared parameter this server does not implement that <paramref name="request"/> sets, or null.</summary>
    public static string? Unsupported(OpenAIRequest request) =>
        request.LogitBias is { ValueKind: not JsonValueKind.Null } ? "logit_bias"
        : request.PresencePenalty is { } presence && presence != 0 ? "presence_penalty"
        : request.FrequencyPenalty is { } frequency && frequency != 0 ? "frequency_penalty"
        : null;

    /// <summary>A parameter this server does not implement changes what the client expects: refused by name rather than ignored.</summary>
    public static void Refuse(string? unsupported)
    {
        if (unsupported is not null)
        {
            throw new ChatRequestException($"'{unsupported}' is not supported by this server; send the request without it.", unsupported, "unsupported_parameter");
        }
    }

    /// <summary><paramref name="chat"/> with the request's sampling settings; <paramref name="maxTokens"/> is named <paramref name="maxParam"/> in errors.</summary>
    public static ChatRequest WithSampling(ChatRequest chat, OpenAIRequest request, string maxParam, int? maxTokens, string messagesName) => chat with
    {
        MaxTokens = maxTokens,
        Temperature = request.Temperature,
        TopP = request.TopP,
        Seed = request.Seed,
        Stop = request.Stop,
        Names = new ChatRequestNames(maxParam, messagesName),
    };
}
