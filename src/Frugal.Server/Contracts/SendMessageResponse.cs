namespace Frugal.Server.Contracts;

/// <summary>
/// Answer of <c>POST /api/sessions/{id}/messages</c> with <c>stream: false</c>:
/// <c>{"object":"session.reply","user_message":{message},"message":{message},"finish_reason","usage":{...},
/// "omitted_messages":N,"ttft_ms":N,"prompt_tokens_per_second":N,"tokens_per_second":N}</c>.
/// </summary>
public sealed record SendMessageResponse(
    string Object,
    MessageResource UserMessage,
    MessageResource Message,
    string FinishReason,
    ReplyUsage Usage,
    int OmittedMessages,
    double TtftMs,
    double PromptTokensPerSecond,
    double TokensPerSecond);
