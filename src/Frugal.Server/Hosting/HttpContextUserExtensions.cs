using Frugal.Users;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Hosting;

/// <summary>The caller of an authenticated request, as set by the API-key authentication handler.</summary>
public static class HttpContextUserExtensions
{
    private static readonly object Key = new();

    /// <summary>The authenticated user; throws when the request did not pass the bearer-key check.</summary>
    public static UserAccount GetFrugalUser(this HttpContext context) =>
        context.TryGetFrugalUser() ?? throw new InvalidOperationException("The request has no authenticated user; does the endpoint allow anonymous callers?");

    /// <summary>The authenticated user, or null.</summary>
    public static UserAccount? TryGetFrugalUser(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var user) ? user as UserAccount : null;
    }

    internal static void SetFrugalUser(this HttpContext context, UserAccount user) => context.Items[Key] = user;
}
