namespace Frugal.Server.Endpoints;

/// <summary>Why a chat completion request was refused before it queued: status, message for the client, the field, a code.</summary>
internal sealed record ChatRequestError(int StatusCode, string Message, string? Param = null, string? Code = null);
