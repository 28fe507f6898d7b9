using Pulse.Api.Displays;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Responses;

/// <summary>
/// Finds the display a token names for the public endpoints (responses, declines, opt-outs):
/// unknown → 404, foreign (another workspace's page or site key) → 403, expired → 410.
/// </summary>
public sealed class DisplayTokenGate(ReadPool reads, SiteKeyGate gate, TimeProvider time)
{
    public Display Resolve(string token, string? siteKey, HttpRequest request, bool allowExpired = false)
    {
        Display? display;
        using (var reader = reads.Rent())
            display = DisplayStore.FindByToken(reader, token);
        if (display is null)
            throw new ProblemException(404, "Not found", "Unknown display token.");
        gate.CheckDisplayToken(display.WorkspaceId, display.UserId, siteKey, request);
        if (!allowExpired && time.GetUtcNow().ToUnixTimeMilliseconds() >= display.ExpiresAt)
            throw new ProblemException(410, "Gone",
                $"This display token expired at {Db.FromUnixMs(display.ExpiresAt):O}; answers are accepted for a limited time after the survey is shown.");
        return display;
    }
}
