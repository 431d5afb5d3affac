using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Frugal.Server.Authentication;

/// <summary>
/// The fallback policy's one requirement: a user authenticated by API key, except for a request that
/// matched no endpoint outside every <see cref="ProtectedAreas">protected area</see> (so <c>/no/such/page</c>
/// answers 404 while <c>/v1/no-such-route</c> without a key answers 401 and says nothing about what exists).
/// </summary>
internal sealed class ApiKeyRequirement : AuthorizationHandler<ApiKeyRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiKeyRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true
            || (context.Resource is HttpContext http && !http.RequestServices.GetRequiredService<ProtectedAreas>().Contains(http)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
