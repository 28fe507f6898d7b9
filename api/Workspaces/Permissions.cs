using Microsoft.AspNetCore.Authorization;

namespace Pulse.Api.Workspaces;

/// <summary>
/// What an administration endpoint lets its caller do. Each is an authorization policy of its own
/// name; today every one is "a secret key of the workspace" (any key may do everything), so a
/// later change — keys or team members with roles — attaches the rule to the policy and every
/// endpoint that names it follows, without touching the endpoints.
/// </summary>
public static class Permissions
{
    /// <summary>List, create and revoke secret keys; rotate the identity secret.</summary>
    public const string ManageKeys = "keys:manage";

    public static readonly IReadOnlyList<string> All = [ManageKeys];

    /// <summary>Registers one policy per permission, each requiring a secret key of the workspace.</summary>
    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in All)
            builder.AddPolicy(permission, policy => policy
                .AddAuthenticationSchemes(SecretKeyAuthenticationHandler.SchemeName)
                .RequireClaim(SecretKeyAuthenticationHandler.WorkspaceClaim));
        return builder;
    }

    /// <summary>The endpoint needs <paramref name="permission"/> (a policy named after it).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(permission);
}
