using Pulse.Api.Operations;

namespace Pulse.Api.Workspaces;

/// <summary>
/// The check for public endpoints called with a site key. A browser always sends Origin on these
/// cross-origin POSTs, and it must be one of the workspace's allowed origins. A call without an
/// Origin comes from a server or a mobile app: it is accepted only when the workspace requires
/// userHash, so identity verification stands in for the origin check (see docs/decisions.md).
/// </summary>
public sealed class SiteKeyGate(WorkspaceStore store)
{
    /// <summary>The workspace of <paramref name="siteKey"/>, or a 401/403 <see cref="ProblemException"/>.</summary>
    public Workspace Resolve(string? siteKey, HttpRequest request)
    {
        if (string.IsNullOrEmpty(siteKey) || !siteKey.StartsWith("pk_", StringComparison.Ordinal) || siteKey.Length > 100)
            throw new ProblemException(401, "Unauthorized", "'siteKey' must be your workspace's site key (pk_…).");
        var workspace = store.FindBySiteKey(siteKey)
            ?? throw new ProblemException(401, "Unauthorized", "Unknown site key.");
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
}
