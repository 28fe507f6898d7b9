using System.Data.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Pulse.Api.Access;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>Members: their sessions, single sign-on, the permission policies every endpoint names, and the demo owner.</summary>
public static class TeamExtensions
{
    /// <summary>The default scheme: a secret key or a member's session, whichever the request carries.</summary>
    public const string CallerScheme = "Caller";

    public static IHostApplicationBuilder AddTeam(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TeamOptions>().BindConfiguration(TeamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SessionStore>();
        // The default scheme forwards to the secret key when an Authorization header is sent, else
        // to the session cookie, so the request's user is known to the per-client rate limit (servers
        // and members are not anonymous clients). Every guarded endpoint names both schemes in its
        // permission's policy; the public ones that accept a key authenticate explicitly.
        builder.Services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "A secret key or a member's session", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 || !context.Request.Cookies.ContainsKey(SessionAuthenticationHandler.CookieName)
                    ? SecretKeyAuthenticationHandler.SchemeName
                    : SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null)
            .AddPulseSingleSignOn(builder.Configuration);
        builder.Services.AddSingleton<RoleGrants>();
        builder.Services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, PermissionResultHandler>();
        builder.Services.AddAuthorizationBuilder().AddPermissionPolicies();
        builder.Services.AddSingleton<IWorkspaceHook, DemoOwner>();
        builder.Services.AddSingleton<LinkHooks>();
        return builder;
    }
}

/// <summary>
/// The demo owner (docs/decisions.md P9): created with a demo workspace, with the password of the
/// README, owner of the demo workspaces that exist. The demo workspaces exist only in Development.
/// </summary>
public sealed class DemoOwner : IWorkspaceHook
{
    public void WorkspaceCreated(DbConnection c, DbTransaction tx, WorkspaceCreated created)
    {
        if (DemoWorkspace.Specs.Any(s => s.Id == created.WorkspaceId))
            Ensure(c, tx, created.At);
    }

    public static void Ensure(DbConnection c, DbTransaction tx, long now)
    {
        var member = MemberStore.FindOrCreate(c, tx, DemoWorkspace.Owner.Email, now, DemoWorkspace.Owner.Id);
        if (member.PasswordHash is null)
            MemberStore.SetPassword(c, tx, member.Id, Passwords.Hash(DemoWorkspace.Owner.Password), DemoWorkspace.Owner.Name);
        foreach (var spec in DemoWorkspace.Specs.Where(w => WorkspaceStore.Find(c, tx, w.Id!) is not null))
            if (MembershipStore.Role(c, tx, spec.Id!, member.Id) is null)
                MembershipStore.Put(c, tx, spec.Id!, member.Id, Roles.Owner, now);
    }
}
