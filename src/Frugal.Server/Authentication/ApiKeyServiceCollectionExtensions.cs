using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Frugal.Server.Authentication;

/// <summary>Registers API-key authentication and the deny-by-default authorization of the HTTP surface.</summary>
public static class ApiKeyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ApiKeyDefaults.Scheme"/> scheme (the default) and authorization whose fallback
    /// policy needs an authenticated user: an endpoint is public only when it says <c>AllowAnonymous()</c>,
    /// so a new endpoint that declares nothing needs a key.
    /// </summary>
    public static IServiceCollection AddFrugalApiKeyAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, configureOptions: null);
        services.AddSingleton<ProtectedAreas>();
        var userRequired = new AuthorizationPolicyBuilder(ApiKeyDefaults.Scheme).AddRequirements(new ApiKeyRequirement()).Build();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(userRequired)
            .SetFallbackPolicy(userRequired);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ApiKeyRequirement>());
        return services;
    }
}
