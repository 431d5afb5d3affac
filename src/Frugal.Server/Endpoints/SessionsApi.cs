using System.Text.Json;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
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
/// <c>PATCH /api/sessions/{id}</c> {title?, system_prompt?, settings?} → session (only the fields present change; null clears);
/// <c>DELETE /api/sessions/{id}</c> → {"id","object":"session.deleted","deleted":true};
/// <c>GET /api/sessions/{id}/messages</c> → {"object":"list","data":[message]} (the branch shown, oldest first, each with its versions);
/// <c>POST /api/sessions/{id}/messages</c> {content, stream?, max_tokens?, temperature?, top_p?, top_k?, seed?, version_of?} → the reply
/// (SSE events as described on <see cref="ReplyEvent"/>, or <see cref="SendMessageResponse"/>);
/// <c>POST /api/sessions/{id}/messages/{message_id}/regenerate</c> {stream?, sampling?} → a new version of a reply, the same way;
/// <c>POST /api/sessions/{id}/messages/{message_id}/select</c> → the branch through that version, as the message list;
/// <c>GET /api/sessions/{id}/export?format=json|markdown</c> → <see cref="ChatExport"/> or Markdown;
/// <c>POST /api/sessions/import</c> {export} → the new session.
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
        api.MapPatch("/{id}", UpdateSessionAsync);
        api.MapDelete("/{id}", DeleteSessionAsync);
        api.MapGet("/{id}/messages", ListMessagesAsync);
        api.MapPost("/{id}/messages", SendMessageAsync);
        api.MapPost("/{id}/messages/{messageId}/regenerate", RegenerateAsync);
        api.MapPost("/{id}/messages/{messageId}/select", SelectVersionAsync);
        api.MapGet("/{id}/export", ExportAsync);
        api.MapPost("/import", ImportAsync);
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

        var session = await conversations.CreateSessionAsync(context.GetFrugalUser().Id, body.Title, body.SystemPrompt, body.Settings?.ToSettings(), context.RequestAborted);
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

    public static async Task<Results<JsonHttpResult<SessionResource>, JsonHttpResult<ErrorResponse>>> UpdateSessionAsync(
        string id, HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var changes = new SessionChanges();
        if (body.TryGetProperty("title", out var title))
        {
            changes = changes with { Title = OptionalText(title, "title") };
            if (ValidateTitle(changes.Title) is { } problem)
            {
                return problem;
            }
        }

        if (body.TryGetProperty("system_prompt", out var systemPrompt))
        {
            changes = changes with { SystemPrompt = OptionalText(systemPrompt, "system_prompt") };
        }

        if (body.TryGetProperty("settings", out var settings))
        {
            changes = changes with { Settings = SettingsFrom(settings) };
        }

        var session = await conversations.UpdateSessionAsync(context.GetFrugalUser().Id, id, changes, context.RequestAborted);
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
        var tree = await conversations.GetMessagesAsync(context.GetFrugalUser().Id, id, context.RequestAborted);
        return tree is null ? NoSuchSession(id) : TypedResults.Json(BranchOf(tree), ServerJsonContext.Default.ListResponseMessageResource);
    }

    internal static ListResponse<MessageResource> BranchOf(MessageTree tree) => new("list", [.. tree.Branch.Select(m => ToResource(m, tree.VersionsOf(m)))]);

    /// <summary>The 404 for a missing or foreign session; the same words either way.</summary>
    internal static JsonHttpResult<ErrorResponse> NoSuchSession(string id) => ApiErrors.NotFound($"No session '{id}'.", "id", "session_not_found");

    // A field that is a string or null; anything else is the caller's mistake.
    private static string? OptionalText(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => throw new ChatRequestException($"{name} must be a string or null.", name, "invalid_type"),
    };

    private static ChatSettings? SettingsFrom(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            return value.ValueKind == JsonValueKind.Object
                ? value.Deserialize(ServerJsonContext.Default.SessionSettings)?.ToSettings()
                : throw new JsonException();
        }
        catch (JsonException)
        {
            throw new ChatRequestException("settings must be an object of max_tokens (a whole number), temperature, top_p (numbers), top_k and seed (whole numbers), each a number or null.", "settings", "invalid_type");
        }
    }

    private static JsonHttpResult<ErrorResponse>? ValidateTitle(string? title) => title is { Length: > MaxTitleLength }
        ? ApiErrors.BadRequest($"title has at most {MaxTitleLength} characters.", "title", "invalid_value")
        : null;

    internal static SessionResource ToResource(ConversationSession session) => new(
        session.Id, "session", session.Title, session.SystemPrompt, session.CreatedAt, session.UpdatedAt, session.MessageCount,
        session.CurrentMessageId, SessionSettings.From(session.Settings));

    internal static MessageResource ToResource(StoredMessage message, IReadOnlyList<long>? versions = null) => new(
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
        },
        message.ParentId,
        versions)
    {
        ContextShifted = message.ContextShifted,
    };
}
