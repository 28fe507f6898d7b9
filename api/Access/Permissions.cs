using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Pulse.Api.Operations;

namespace Pulse.Api.Access;

/// <summary>
/// The names every caller's identity is made of, below the features that authenticate (secret keys
/// in Workspaces, sessions in Team) and those that only read them (permissions, the audit log).
/// </summary>
public static class CallerClaims
{
    public const string SecretKeyScheme = "SecretKey";
    public const string SessionScheme = "Session";
    public const string Workspace = "pulse:workspace";
    public const string Key = "pulse:key";
    public const string Scope = "pulse:scope";
    public const string Hint = "pulse:hint";
    public const string Member = "pulse:member";
    public const string Email = "pulse:email";
    public const string Role = "pulse:role";
    public const string Session = "pulse:session";
    public const string Csrf = "pulse:csrf";
    public const string CsrfHeader = "X-Pulse-CSRF";

    /// <summary>
    /// Whether a request made with the session cookie may change something: safe methods always,
    /// others only with the session's CSRF token in <see cref="CsrfHeader"/>. A page of another
    /// site can make the browser send the cookie, but cannot read the token (it is answered to
    /// same-origin calls only) nor set the header without a CORS preflight Pulse never allows.
    /// </summary>
    public static bool CsrfHolds(HttpContext http, System.Security.Claims.ClaimsPrincipal user)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
            return true;
        var expected = user.FindFirst(Csrf)?.Value;
        var sent = http.Request.Headers[CsrfHeader].ToString();
        return expected is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(sent));
    }
}

/// <summary>A member's role in one workspace.</summary>
public static class Roles
{
    /// <summary>Everything, including members and keys.</summary>
    public const string Owner = "owner";

    /// <summary>Surveys, webhooks, workspace settings, responses, erasure, the audit log.</summary>
    public const string Admin = "admin";

    /// <summary>Reads everything, exports CSV.</summary>
    public const string Analyst = "analyst";

    /// <summary>Reads the dashboards.</summary>
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, Analyst, Viewer];

    public static bool IsRole(string? role) => role is not null && All.Contains(role);
}

/// <summary>What a secret key may do: <c>full</c> (every permission) or <c>read</c> (no writes).</summary>
public static class KeyScopes
{
    public const string Full = "full";
    public const string Read = "read";

    public static readonly IReadOnlyList<string> All = [Full, Read];
}

/// <summary>Which roles and key scopes hold a permission.</summary>
public sealed record Grant(IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

/// <summary>
/// What an endpoint lets its caller do. Every endpoint names one permission (or is marked public);
/// each permission is an authorization policy of its own name whose rule is one row of
/// <see cref="Table"/>: the roles of members and the scopes of keys that hold it. Roles attach to
/// the policy, never to the routes (docs/decisions.md D9, P2).
/// </summary>
public static class Permissions
{
    public const string ReadAnalytics = "analytics:read";
    public const string ReadResponses = "responses:read";
    public const string ExportResponses = "responses:export";
    public const string ReadWorkspace = "workspace:read";
    public const string ManageWorkspace = "workspace:manage";
    public const string ReadSurveys = "surveys:read";
    public const string ManageSurveys = "surveys:manage";
    public const string ReadWebhooks = "webhooks:read";
    public const string ManageWebhooks = "webhooks:manage";

    /// <summary>List, create and revoke secret keys; rotate the identity secret.</summary>
    public const string ManageKeys = "keys:manage";

    public const string EraseUsers = "users:erase";
    public const string ManageMembers = "members:manage";

    /// <summary>List the workspace's members (name, email, role), e.g. to pick a follow-up's assignee; pending invitations need <see cref="ManageMembers"/>.</summary>
    public const string ReadMembers = "members:read";
    public const string ReadAudit = "audit:read";

    /// <summary>Read follow-ups (status, assignee, notes) and the workspace's follow-up settings.</summary>
    public const string ReadFollowUps = "follow-ups:read";

    /// <summary>Open follow-ups, change their status, assignee and due date, add notes.</summary>
    public const string ManageFollowUps = "follow-ups:manage";

    /// <summary>Change the workspace's tag list and the tags on responses.</summary>
    public const string ManageTags = "tags:manage";

    /// <summary>A signed-in member's own session (switch workspace, sign out); keys have no session.</summary>
    public const string Account = "account";

    static readonly string[] Everyone = [Roles.Owner, Roles.Admin, Roles.Analyst, Roles.Viewer];
    static readonly string[] Editors = [Roles.Owner, Roles.Admin];
    static readonly string[] Readers = [Roles.Owner, Roles.Admin, Roles.Analyst];
    static readonly string[] Owners = [Roles.Owner];
    static readonly string[] AnyKey = [KeyScopes.Full, KeyScopes.Read];
    static readonly string[] FullKey = [KeyScopes.Full];

    /// <summary>The one table of who may do what.</summary>
    public static readonly FrozenDictionary<string, Grant> Table = new Dictionary<string, Grant>
    {
        [ReadAnalytics] = new(Everyone, AnyKey),
        [ReadResponses] = new(Everyone, AnyKey),
        [ExportResponses] = new(Readers, AnyKey),
        [ReadWorkspace] = new(Everyone, AnyKey),
        [ManageWorkspace] = new(Editors, FullKey),
        [ReadSurveys] = new(Everyone, AnyKey),
        [ManageSurveys] = new(Editors, FullKey),
        [ReadWebhooks] = new(Readers, AnyKey),
        [ManageWebhooks] = new(Editors, FullKey),
        [ManageKeys] = new(Owners, FullKey),
        [EraseUsers] = new(Editors, FullKey),
        [ManageMembers] = new(Owners, FullKey),
        [ReadMembers] = new(Readers, AnyKey),
        [ReadAudit] = new(Editors, FullKey),
        [ReadFollowUps] = new(Everyone, AnyKey),
        [ManageFollowUps] = new(Readers, FullKey),
        [ManageTags] = new(Readers, FullKey),
        [Account] = new(Everyone, []),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> All => Table.Keys;

    /// <summary>Whether a role (members) or a key scope holds <paramref name="permission"/>.</summary>
    public static bool Allows(string permission, string? role, string? scope) =>
        Table.TryGetValue(permission, out var grant)
        && ((role is not null && grant.Roles.Contains(role)) || (scope is not null && grant.Scopes.Contains(scope)));

    /// <summary>The permissions of a role, as the dashboard is told (it hides what the role cannot do).</summary>
    public static IReadOnlyList<string> OfRole(string role) => [.. Table.Where(p => p.Value.Roles.Contains(role)).Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <summary>Registers one policy per permission: a secret key or a session of the workspace, with a role or scope that holds it.</summary>
    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in All)
            builder.AddPolicy(permission, policy => policy
                .AddAuthenticationSchemes(CallerClaims.SecretKeyScheme, CallerClaims.SessionScheme)
                .RequireClaim(CallerClaims.Workspace)
                .AddRequirements(new PermissionRequirement(permission)));
        return builder;
    }

    /// <summary>The endpoint needs <paramref name="permission"/> (a policy named after it).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder
    {
        if (!Table.ContainsKey(permission))
            throw new ArgumentException($"'{permission}' is not a permission of Permissions.Table.", nameof(permission));
        return builder.RequireAuthorization(permission).WithMetadata(new PermissionMetadata(permission));
    }
}

/// <summary>
/// A workspace setting that gives a role a permission the table does not (today one: a workspace
/// may let viewers export responses, decision P12). Implemented by the feature that owns the setting.
/// </summary>
public interface IWorkspaceGrant
{
    bool Grants(string workspaceId, string role, string permission);
}

/// <summary>The table of <see cref="Permissions"/> widened by each workspace's <see cref="IWorkspaceGrant"/>s.</summary>
public sealed class RoleGrants(IEnumerable<IWorkspaceGrant> widenings)
{
    readonly IWorkspaceGrant[] _widenings = [.. widenings];

    /// <summary>Whether a member of <paramref name="workspaceId"/> with <paramref name="role"/>, or a key of <paramref name="scope"/>, holds the permission.</summary>
    public bool Allows(string permission, string? role, string? scope, string? workspaceId) =>
        Permissions.Allows(permission, role, scope)
        || (role is not null && workspaceId is not null && Permissions.Table.ContainsKey(permission)
            && _widenings.Any(w => w.Grants(workspaceId, role, permission)));

    /// <summary>The permissions of a role in a workspace, as the dashboard is told (it hides what the role cannot do).</summary>
    public IReadOnlyList<string> OfRole(string role, string workspaceId) =>
        [.. Permissions.All.Where(p => Allows(p, role, null, workspaceId)).Order(StringComparer.Ordinal)];
}

/// <summary>The caller's role or key scope must hold the permission; a cookie write must carry the session's CSRF token.</summary>
public sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

public sealed class PermissionHandler(RoleGrants grants) : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var role = context.User.FindFirst(CallerClaims.Role)?.Value;
        var scope = context.User.FindFirst(CallerClaims.Scope)?.Value;
        if (role is null && scope is null)
            return Task.CompletedTask; // not authenticated: the policy challenges
        if (role is not null && context.Resource is HttpContext http && !CallerClaims.CsrfHolds(http, context.User))
        {
            context.Fail(new AuthorizationFailureReason(this,
                "This change was sent with the session cookie but without the session's token in 'X-Pulse-CSRF'; reload the dashboard and try again."));
            return Task.CompletedTask;
        }
        if (grants.Allows(requirement.Permission, role, scope, context.User.FindFirst(CallerClaims.Workspace)?.Value))
            context.Succeed(requirement);
        else
            context.Fail(new AuthorizationFailureReason(this, role is not null
                ? $"This needs the permission '{requirement.Permission}', which the role '{role}' does not have; ask an owner of the workspace."
                : Permissions.Table[requirement.Permission].Scopes.Count == 0
                    ? $"This needs the permission '{requirement.Permission}', which only a signed-in member has, never a key."
                    : $"This needs the permission '{requirement.Permission}', which a key of scope '{scope}' does not have; use a key of scope 'full'."));
        return Task.CompletedTask;
    }
}
