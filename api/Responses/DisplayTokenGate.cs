using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Displays;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Responses;

/// <summary>
/// Finds the display a token names for the public endpoints (responses, declines, opt-outs):
/// unknown → 404, foreign (another workspace's page or site key) → 403, expired → 410, each a
/// problem the handler returns.
/// </summary>
public sealed class DisplayTokenGate(ReadPool reads, SiteKeyGate gate, TimeProvider time)
{
    public bool TryResolve(string token, string? siteKey, HttpRequest request,
        [NotNullWhen(true)] out Display? display, [NotNullWhen(false)] out ProblemHttpResult? problem, bool allowExpired = false)
    {
        using (var reader = reads.Rent())
            display = DisplayStore.FindByToken(reader.Connection, token);
        if (display is null)
            problem = Problems.NotFound(SiteKeyGate.UnknownDisplayToken);
        else if (gate.CheckDisplayToken(display.WorkspaceId, display.UserId, siteKey, request) is { } refused)
            problem = refused;
        else if (!allowExpired && time.GetUtcNow().ToUnixTimeMilliseconds() >= display.ExpiresAt)
            problem = Problems.Gone(
                $"This display token expired at {Db.FromUnixMs(display.ExpiresAt):O}; answers are accepted for a limited time after the survey is shown. Ask for eligibility again.");
        else
        {
            problem = null;
            return true;
        }
        display = null;
        return false;
    }
}
