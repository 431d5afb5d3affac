using System.Text.Json.Serialization.Metadata;
using Frugal.Server.Contracts;

namespace Frugal.Server.Endpoints;

/// <summary>
/// How both OpenAI streams (chat and text completions) end: the event with the finish reason, then, when the
/// request asked for it, one with the usage and no choices, then <c>data: [DONE]</c>; or, when generation failed
/// after the stream began, OpenAI's error body.
/// </summary>
internal static class OpenAIStreamEnd
{
    public static async Task FinishAsync<T>(SseWriter writer, T finish, T? usage, JsonTypeInfo<T> type)
        where T : class
    {
        await writer.DataAsync(finish, type).ConfigureAwait(false);
        if (usage is not null)
        {
            await writer.DataAsync(usage, type).ConfigureAwait(false);
        }

        await writer.DataAsync("[DONE]").ConfigureAwait(false);
    }

    public static Task FailedAsync(SseWriter writer, CompletionReport report, Exception exception)
    {
        report.Failed(exception);
        return writer.DataAsync(ApiErrors.Body("The generation failed on the server.", ErrorTypes.Server, code: "generation_failed"),
            ServerJsonContext.Default.ErrorResponse);
    }
}
