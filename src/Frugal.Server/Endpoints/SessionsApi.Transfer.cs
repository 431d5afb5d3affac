using System.Globalization;
using System.Text;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Server.Contracts;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Frugal.Server.Endpoints;

public static partial class SessionsApi
{
    private static readonly string[] FinishReasons = ["stop", "length", "cancelled", "error"];

    /// <summary>
    /// The whole session as a file: <c>format=json</c> (the default) every version of every message as a <see cref="ChatExport"/>
    /// that <c>POST /api/sessions/import</c> reads back; <c>format=markdown</c> the branch shown, for reading.
    /// </summary>
    public static async Task<IResult> ExportAsync(string id, HttpContext context, ConversationService conversations, string? format = null)
    {
        if (format is not (null or "json" or "markdown"))
        {
            return ApiErrors.BadRequest("format must be \"json\" or \"markdown\".", "format", "invalid_value");
        }

        var owner = context.GetFrugalUser().Id;
        var session = await conversations.GetSessionAsync(owner, id, context.RequestAborted).ConfigureAwait(false);
        var tree = session is null ? null : await conversations.GetMessagesAsync(owner, id, context.RequestAborted).ConfigureAwait(false);
        if (session is null || tree is null)
        {
            return NoSuchSession(id);
        }

        if (format == "markdown")
        {
            return TypedResults.Text(ToMarkdown(session, tree.Branch), "text/markdown; charset=utf-8");
        }

        var export = new ChatExport(
            ChatExport.FormatName, ChatExport.CurrentVersion, session.Title, session.SystemPrompt, SessionSettings.From(session.Settings),
            tree.Current?.Id, DateTimeOffset.UtcNow,
            [.. tree.All.Select(m => new ExportedMessage(m.Id, m.ParentId, RoleName(m.Role), m.Content, m.FinishReason, MessageStatusNames.ToName(m.Status), m.CreatedAt))]);
        return TypedResults.Json(export, ServerJsonContext.Default.ChatExport);
    }

    /// <summary>
    /// Stores an export (<see cref="ChatExport"/>) as a new session of the caller. Checked whole before anything is stored:
    /// a bad file is answered 400 naming what is wrong, and nothing of it is kept.
    /// </summary>
    public static async Task<Results<JsonHttpResult<SessionResource>, JsonHttpResult<ErrorResponse>>> ImportAsync(
        HttpContext context, ConversationService conversations)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.ChatExport).ConfigureAwait(false);
        if (body.Format != ChatExport.FormatName)
        {
            return ApiErrors.BadRequest($"This is not a Frugal chat export: \"format\" must be \"{ChatExport.FormatName}\".", "format", "invalid_import");
        }

        if (body.Version != ChatExport.CurrentVersion)
        {
            return ApiErrors.BadRequest($"Export version {body.Version?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} is not one this server reads (it reads {ChatExport.CurrentVersion}).", "version", "invalid_import");
        }

        if (ValidateTitle(body.Title) is { } problem)
        {
            return problem;
        }

        var import = new SessionImport
        {
            Title = body.Title,
            SystemPrompt = body.SystemPrompt,
            Settings = body.Settings?.ToSettings() ?? ChatSettings.Defaults,
            CurrentMessageId = body.CurrentMessageId,
            Messages = [.. (body.Messages ?? throw Invalid("messages must be a list (it may be empty).", "messages")).Select(ToImported)],
        };
        var session = await conversations.ImportSessionAsync(context.GetFrugalUser().Id, import, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = $"/api/sessions/{session.Id}";
        return TypedResults.Json(ToResource(session), ServerJsonContext.Default.SessionResource, statusCode: StatusCodes.Status201Created);
    }

    private static ImportedMessage ToImported(ExportedMessage? message, int index)
    {
        var at = $"messages[{index}]";
        if (message is null)
        {
            throw Invalid($"{at} must be an object.", at);
        }

        var role = message.Role switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            _ => throw Invalid($"{at}.role must be \"user\" or \"assistant\".", $"{at}.role"),
        };
        var status = message.Status switch
        {
            null or "complete" => MessageStatus.Complete,
            "partial" => MessageStatus.Partial,
            "failed" => MessageStatus.Failed,
            _ => throw Invalid($"{at}.status must be \"complete\", \"partial\" or \"failed\".", $"{at}.status"),
        };
        if (message.FinishReason is { } finish && (role == ChatRole.User || !FinishReasons.Contains(finish)))
        {
            throw Invalid($"{at}.finish_reason must be null, or for a reply one of {string.Join(", ", FinishReasons)}.", $"{at}.finish_reason");
        }

        return new ImportedMessage
        {
            Id = message.Id ?? throw Invalid($"{at}.id is missing.", $"{at}.id"),
            ParentId = message.ParentId,
            Message = new NewMessage
            {
                Role = role,
                Content = message.Content ?? throw Invalid($"{at}.content is missing.", $"{at}.content"),
                TokenCount = 0,
                FinishReason = message.FinishReason,
                Status = status,
            },
        };
    }

    private static ChatRequestException Invalid(string message, string param) => new(message, param, "invalid_import");

    private static string RoleName(ChatRole role) => role == ChatRole.User ? "user" : "assistant";

    private static string ToMarkdown(ConversationSession session, IReadOnlyList<StoredMessage> branch)
    {
        var text = new StringBuilder();
        text.Append("# ").AppendLine(string.IsNullOrWhiteSpace(session.Title) ? "Untitled chat" : session.Title.ReplaceLineEndings(" ")).AppendLine();
        if (!string.IsNullOrEmpty(session.SystemPrompt))
        {
            text.AppendLine("**System prompt:**").AppendLine();
            foreach (var line in session.SystemPrompt.ReplaceLineEndings("\n").Split('\n'))
            {
                text.Append("> ").AppendLine(line);
            }

            text.AppendLine();
        }

        foreach (var message in branch)
        {
            text.Append("## ").AppendLine(message.Role == ChatRole.User ? "You" : "Assistant").AppendLine();
            text.AppendLine(message.Content).AppendLine();
        }

        return text.ToString();
    }
}
