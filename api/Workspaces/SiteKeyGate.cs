using Pulse.Api.Operations;

namespace Pulse.Api.Workspaces;

/// <summary>
/// The check for public endpoints called with a site key. A browser always sends Origin on these
/// cross-origin POSTs, and it must be one of the workspace's allowed origins. A call without an
/// Origin comes from a server or a mobile app: it is accepted only when the workspace requires
/// userHash, so identity verification stands in for the origin check (see docs/decisions.md).
/// Every accepted call counts against its end user's rate limit, then the workspace's per-site-key limit.
/// </summary>
public sealed class SiteKeyGate(WorkspaceStore store, SiteKeyRateLimiter limiter, EndUserRateLimiter endUsers, IHostEnvironment env)
{
    /// <summary>
    /// The workspace of <paramref name="siteKey"/>, or a 401/403 problem. It does not count against
    /// the workspace's rate limit: call <see cref="Admit"/> once the request has passed its own checks
    /// (body, userHash), so junk sent with a public site key cannot use up a vendor's budget.
    /// </summary>
    public Workspace Resolve(string? siteKey, HttpRequest request)
    {
        if (string.IsNullOrEmpty(siteKey) || !siteKey.StartsWith("pk_", StringComparison.Ordinal) || siteKey.Length > 100)
            throw new ProblemException(401, "Unauthorized", "'siteKey' must be your workspace's site key (pk_…).");
        var workspace = store.FindBySiteKey(siteKey)
            ?? throw new ProblemException(401, "Unauthorized", "Unknown site key.");
        if (DemoWorkspace.IsRefused(workspace.Id, env))
            throw new ProblemException(401, "Unauthorized", DemoWorkspace.Refusal);
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            if (!workspace.RequireUserHash)
                throw new ProblemException(403, "Forbidden",
                    "Calls with a site key must come from an allowed origin, or carry a userHash in a workspace that requires it. Server-side callers should use a secret key.");
        }
        else if (!OriginPattern.IsAllowed(workspace.AllowedOrigins, origin))
        {
            throw new ProblemException(403, "Forbidden", $"Origin '{origin}' is not an allowed origin of this workspace.");
        }
        return workspace;
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
    public void CheckDisplayToken(string workspaceId, string userId, string? siteKey, HttpRequest request)
    {
        if (DemoWorkspace.IsRefused(workspaceId, env))
            throw new ProblemException(401, "Unauthorized", DemoWorkspace.Refusal);
        var origin = request.Headers.Origin.ToString();
        if (siteKey is not null || !string.IsNullOrEmpty(origin))
        {
            var workspace = store.Find(workspaceId)
                ?? throw new ProblemException(404, "Not found", "Unknown display token.");
            if (siteKey is not null && !string.Equals(siteKey, workspace.SiteKey, StringComparison.Ordinal))
                throw new ProblemException(403, "Forbidden", "This display token belongs to another workspace than the site key sent with it.");
            if (!string.IsNullOrEmpty(origin) && !OriginPattern.IsAllowed(workspace.AllowedOrigins, origin))
                throw new ProblemException(403, "Forbidden",
                    $"Origin '{origin}' is not an allowed origin of the workspace this display token belongs to.");
        }
        Admit(workspaceId, userId);
    }
}
