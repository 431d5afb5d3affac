using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Conversations kept by the server, each visible to its owner only (another user's id answers 404,
/// exactly as an unknown one):
/// <c>POST /api/sessions</c> {title?, system_prompt?} → session;
/// <c>GET /api/sessions?limit=&amp;after=</c> → {"object":"list","data":[session without system_prompt],"has_more","first_id","last_id"}
/// (most recently updated first, <see cref="DefaultPageSize"/> at a time, up to <see cref="MaxPageSize"/>);
/// <c>GET /api/sessions/{id}</c> → session;
/// <c>PATCH /api/sessions/{id}</c> {title} → session;
/// <c>DELETE /api/sessions/{id}</c> → {"id","object":"session.deleted","deleted":true};
/// <c>GET /api/sessions/{id}/messages</c> → {"object":"list","data":[message]} (oldest first);
/// <c>POST /api/sessions/{id}/messages</c> {content, stream?, max_tokens?, temperature?} → the reply
/// (SSE events as described on <see cref="ReplyEvent"/>, or <see cref="SendMessageResponse"/>).
/// </summary>
public static partial class SessionsApi
{
    /// <summary>Sessions in one page of the list when the request names no limit.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page of the list.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Longest title accepted, in characters.</summary>
    public const int MaxTitleLength = 200;

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/sessions");
        api.MapPost("", CreateSessionAsync);
        api.MapGet("", ListSessionsAsync);
        api.MapGet("/{id}", GetSessionAsync);
        api.MapPatch("/{id}", RenameSessionAsync);
        api.MapDelete("/{id}", DeleteSessionAsync);
        api.MapGet("/{id}/messages", ListMessagesAsync);
        api.MapPost("/{id}/messages", SendMessageAsync);
        return endpoints;
    }

    public static async Task<Results<JsonHttpResult<SessionResource>, JsonHttpResult<ErrorResponse>>> CreateSessionAsync(
        HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.CreateSessionRequest);
        if (ValidateTitle(body.Title) is { } problem)
        {
            return problem;
        }

        var session = await conversations.CreateSessionAsync(context.GetFrugalUser().Id, body.Title, body.SystemPrompt, context.RequestAborted);
        context.Response.Headers.Location = $"/api/sessions/{session.Id}";
        return TypedResults.Json(ToResource(session), ServerJsonContext.Default.SessionResource, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<Results<JsonHttpResult<SessionListResponse>, JsonHttpResult<ErrorResponse>>> ListSessionsAsync(
        HttpContext context, ConversationService conversations, string? limit = null, string? after = null)
    {
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to {MaxPageSize}.", "limit", "invalid_value");
        }

        var page = await conversations.ListSessionsAsync(context.GetFrugalUser().Id, size, string.IsNullOrEmpty(after) ? null : after, context.RequestAborted);
        var items = page.Sessions.Select(s => new SessionListItem(s.Id, "session", s.Title, s.CreatedAt, s.UpdatedAt, s.MessageCount)).ToList();
        return TypedResults.Json(
            new SessionListResponse("list", items, page.HasMore, items.FirstOrDefault()?.Id, items.LastOrDefault()?.Id),
            ServerJsonContext.Default.SessionListResponse);
    }

    public static async Task<Results<JsonHttpResult<SessionResource>, JsonHttpResult<ErrorResponse>>> GetSessionAsync(
        string id, HttpContext context, ConversationService conversations)
    {
        var session = await conversations.GetSessionAsync(context.GetFrugalUser().Id, id, context.RequestAborted);
        return session is null ? NoSuchSession(id) : TypedResults.Json(ToResource(session), ServerJsonContext.Default.SessionResource);
    }

    public static async Task<Results<JsonHttpResult<SessionResource>, JsonHttpResult<ErrorResponse>>> RenameSessionAsync(
        string id, HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.UpdateSessionRequest);
        if (ValidateTitle(body.Title) is { } problem)
        {
            return problem;
        }

        var session = await conversations.RenameSessionAsync(context.GetFrugalUser().Id, id, body.Title, context.RequestAborted);
        return session is null ? NoSuchSession(id) : TypedResults.Json(ToResource(session), ServerJsonContext.Default.SessionResource);
    }

    public static async Task<Results<JsonHttpResult<DeletedResponse>, JsonHttpResult<ErrorResponse>>> DeleteSessionAsync(
        string id, HttpContext context, ConversationService conversations)
    {
        var deleted = await conversations.DeleteSessionAsync(context.GetFrugalUser().Id, id, context.RequestAborted);
        return deleted ? TypedResults.Json(new DeletedResponse(id, "session.deleted", true), ServerJsonContext.Default.DeletedResponse) : NoSuchSession(id);
    }

    public static async Task<Results<JsonHttpResult<ListResponse<MessageResource>>, JsonHttpResult<ErrorResponse>>> ListMessagesAsync(
        string id, HttpContext context, ConversationService conversations)
    {
        var messages = await conversations.ListMessagesAsync(context.GetFrugalUser().Id, id, context.RequestAborted);
        return messages is null ? NoSuchSession(id) : TypedResults.Json(new ListResponse<MessageResource>("list", [.. messages.Select(ToResource)]), ServerJsonContext.Default.ListResponseMessageResource);
    }

    /// <summary>The 404 for a missing or foreign session; the same words either way.</summary>
    internal static JsonHttpResult<ErrorResponse> NoSuchSession(string id) => ApiErrors.NotFound($"No session '{id}'.", "id", "session_not_found");

    private static JsonHttpResult<ErrorResponse>? ValidateTitle(string? title) => title is { Length: > MaxTitleLength }
        ? ApiErrors.BadRequest($"title has at most {MaxTitleLength} characters.", "title", "invalid_value")
        : null;

    internal static SessionResource ToResource(ConversationSession session) => new(
        session.Id, "session", session.Title, session.SystemPrompt, session.CreatedAt, session.UpdatedAt, session.MessageCount);

    internal static MessageResource ToResource(StoredMessage message) => new(
        message.Id,
        "session.message",
        message.SessionId,
        message.Role == ChatRole.User ? "user" : "assistant",
        message.Content,
        message.TokenCount,
        message.CreatedAt,
        message.UpdatedAt,
        message.FinishReason,
        message.Status switch
        {
            MessageStatus.Partial => "partial",
            MessageStatus.Failed => "failed",
            _ => "complete",
        })
    {
        ContextShifted = message.ContextShifted,
    };
}
