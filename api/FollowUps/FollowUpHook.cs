using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Team;

namespace Pulse.Api.FollowUps;

/// <summary>
/// Opens a follow-up, in the same transaction as the answer, when a response's category is one the
/// workspace's settings name (detractors by default) and the response has none yet: on the first
/// answer, or when a changed score moves it into such a category. Due in the settings' business
/// days from the answer. Written to the audit log as an automatic change.
/// </summary>
public sealed class FollowUpHook(FollowUpHooks hooks) : IResponseHook
{
    /// <summary>The actor of what Pulse does by itself (a follow-up opened by an answer).</summary>
    public static readonly Actor Automatic = new(Actor.AnonymousType, null, "automatic", null);

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (!response.Created && response.Category == response.PreviousCategory)
            return;
        var workspaceId = response.Display.WorkspaceId;
        var settings = FollowUpStore.Settings(c, tx, workspaceId);
        if (!settings.OpenCategories.Contains(response.Category))
            return;
        if (!response.Created && FollowUpStore.IdOfResponse(c, tx, workspaceId, response.ResponseId) is not null)
            return;
        var now = response.UpdatedAt;
        var due = FollowUpRules.AddBusinessDays(now, settings.DueBusinessDays);
        string? assignee = null;
        if (settings.AssignmentRules.Count > 0 || settings.FallbackAssignee is not null)
        {
            var traits = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(response.Display.TraitsJson) ?? [];
            assignee = FollowUpRules.Assignee(settings, traits, member => MembershipStore.Find(c, tx, workspaceId, member) is not null);
        }
        var id = FollowUpStore.Open(c, tx, workspaceId, response.ResponseId, assignee, due, now);
        Audit.Write(c, tx, Automatic, workspaceId, "follow_up.opened", id, now,
            after: new { responseId = response.ResponseId, status = FollowUpStatus.Open, assignee, dueAt = Db.FromUnixMs(due) },
            endUserId: response.Display.UserId);
        // A follow-up opened without an assignee announces nothing yet (it is neither assigned nor closed).
        if (assignee is not null)
            hooks.Changed(c, tx, workspaceId, null, id, now);
    }
}
