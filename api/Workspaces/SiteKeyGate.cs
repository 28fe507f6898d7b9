using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Operations;

namespace Pulse.Api.Workspaces;

/// <summary>
/// The check for public endpoints called with a site key. A browser always sends Origin on these
/// cross-origin POSTs, and it must be one of the workspace's allowed origins. A call without an
/// Origin comes from a server or a mobile app: it is accepted only when the workspace requires
/// userHash, so identity verification stands in for the origin check (see docs/decisions.md).
/// Every accepted call counts against its end user's rate limit, then the workspace's per-site-key
/// limit (<see cref="Admit"/>). A refusal is a problem the handler returns (401/403/404), not an exception.
/// </summary>
public sealed class SiteKeyGate(WorkspaceStore store, SiteKeyRateLimiter limiter, EndUserRateLimiter endUsers, IHostEnvironment env)
{
    /// <summary>
    /// The workspace of <paramref name="siteKey"/>, or the 401/403 problem to answer. It does not count
    /// against the workspace's rate limit: call <see cref="Admit"/> once the request has passed its own
    /// checks (body, userHash), so junk sent with a public site key cannot use up a vendor's budget.
    /// </summary>
    public bool TryResolve(string? siteKey, HttpRequest request,
        [NotNullWhen(true)] out Workspace? workspace, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        workspace = null;
        if (string.IsNullOrEmpty(siteKey) || !siteKey.StartsWith("pk_", StringComparison.Ordinal) || siteKey.Length > 100)
        {
            problem = Problems.Unauthorized("Send 'siteKey' with your workspace's site key (pk_…); the dashboard's Setup page shows it.");
            return false;
        }
        var found = store.FindBySiteKey(siteKey);
        if (found is not null && DemoWorkspace.IsRefused(found.Id, env))
        {
            problem = Problems.Unauthorized(DemoWorkspace.Refusal);
            return false;
        }
        var origin = request.Headers.Origin.ToString();
        if (found is null)
            problem = Problems.Unauthorized("Unknown site key; copy it again from the dashboard's Setup page (keys rotated with the CLI change it).");
        else if (string.IsNullOrEmpty(origin))
            problem = found.RequireUserHash ? null : Problems.Forbidden(
                "Calls with a site key must come from an allowed origin, or carry a userHash in a workspace that requires it. Server-side callers should use a secret key.");
        else
            problem = OriginPattern.IsAllowed(found.AllowedOrigins, origin) ? null
                : Problems.Forbidden($"Origin '{origin}' is not an allowed origin of this workspace; add it with PUT /v1/workspace (allowedOrigins).");
        if (problem is not null)
            return false;
        workspace = found!;
        return true;
    }

    /// <summary>
    /// Counts a valid site-key call of <paramref name="userId"/> against that user's own budget, then
    /// the workspace's per-site-key limit (429 past either). A user over their budget is refused
    /// before taking anything from the workspace's, so the workspace's other users are not.
    /// </summary>
    public void Admit(Workspace workspace, string userId) => Admit(workspace.Id, userId);

    void Admit(string workspaceId, string userId)
    {
        endUsers.Acquire(workspaceId, userId);
        limiter.Acquire(workspaceId);
    }

    /// <summary>
    /// The check for calls that carry a display token of <paramref name="workspaceId"/>. The token
    /// is itself an unguessable capability, so a call without Origin (a server, a mobile app) is
    /// accepted. A token used from another workspace's page is refused with 403 ("foreign token"):
    /// an Origin must be allowed by the token's workspace, and a <paramref name="siteKey"/>, when
    /// sent, must be that workspace's. The call counts against the budget of the token's user
    /// (<paramref name="userId"/>), then the workspace's per-site-key limit.
    /// </summary>
    public ProblemHttpResult? CheckDisplayToken(string workspaceId, string userId, string? siteKey, HttpRequest request)
    {
        if (DemoWorkspace.IsRefused(workspaceId, env))
            return Problems.Unauthorized(DemoWorkspace.Refusal);
        var origin = request.Headers.Origin.ToString();
        if (siteKey is not null || !string.IsNullOrEmpty(origin))
        {
            var workspace = store.Find(workspaceId);
            if (workspace is null)
                return Problems.NotFound(UnknownDisplayToken);
            if (siteKey is not null && !string.Equals(siteKey, workspace.SiteKey, StringComparison.Ordinal))
                return Problems.Forbidden("This display token belongs to another workspace than the site key sent with it; send the site key of the page that showed the survey.");
            if (!string.IsNullOrEmpty(origin) && !OriginPattern.IsAllowed(workspace.AllowedOrigins, origin))
                return Problems.Forbidden(
                    $"Origin '{origin}' is not an allowed origin of the workspace this display token belongs to; answer from the page that showed the survey.");
        }
        Admit(workspaceId, userId);
        return null;
    }

    /// <summary>The detail of every 404 for a display token, so an unknown token and a foreign one look alike.</summary>
    public const string UnknownDisplayToken =
        "Unknown display token; send the displayToken of an eligibility answer (\"eligible\": true) of this workspace.";
}
