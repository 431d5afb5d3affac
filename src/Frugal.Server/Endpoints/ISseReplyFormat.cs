using Frugal.Inference;
using Frugal.Requests;
using Frugal.Scheduling;

namespace Frugal.Server.Endpoints;

/// <summary>What the events of one API's streamed reply say; <see cref="SseWriter.StreamAsync"/> calls it in order.</summary>
internal interface ISseReplyFormat
{
    /// <summary>The events before any text (none unless the dialect opens its stream with some).</summary>
    Task OpenAsync(SseWriter writer) => Task.CompletedTask;

    /// <summary>A piece of the reply's text.</summary>
    Task TextAsync(SseWriter writer, string text);

    /// <summary>A piece of the reply as the engine sent it (its text, and its tokens' log probabilities when asked); by default its text.</summary>
    Task PieceAsync(SseWriter writer, ChatUpdate update) => TextAsync(writer, update.Text);

    /// <summary>The reply is complete (<paramref name="reply"/> holds all of it): the final event(s).</summary>
    Task CompletedAsync(SseWriter writer, GenerationStats stats, ReplyBuilder reply);

    /// <summary>Generation failed after the stream began: the error event.</summary>
    Task FailedAsync(SseWriter writer, Exception exception);
}
