using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;

namespace Pulse.Api.Privacy;

/// <summary>SQL for opt-outs and erasure. Both run inside a write-queue command (the caller's transaction).</summary>
public static class PrivacyStore
{
    // The row is created when the user was never seen, so the opt-out holds before their first visit.
    const string UpsertOptOut = """
        INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at, opted_out_at)
        VALUES (@WorkspaceId, @UserId, @Now, @Now, @Now)
        ON CONFLICT (workspace_id, user_id) DO UPDATE SET opted_out_at = excluded.opted_out_at
        WHERE end_users.opted_out_at IS NULL
        """;

    const string SelectDisplays = """
        SELECT id AS Id, workspace_id AS WorkspaceId, survey_id AS SurveyId, user_id AS UserId, shown_at AS ShownAt,
               expires_at AS ExpiresAt, answered_at AS AnsweredAt, declined_at AS DeclinedAt, email AS Email,
               traits AS Traits, locale AS Locale, url AS Url
        FROM displays WHERE workspace_id = @WorkspaceId AND user_id = @UserId ORDER BY id
        """;

    const string SelectResponses = """
        SELECT id AS Id, display_id AS DisplayId, score AS Score, category AS Category, comment AS Comment,
               follow_up AS FollowUp, created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM responses WHERE workspace_id = @WorkspaceId AND user_id = @UserId
        """;

    const string DeleteResponses = "DELETE FROM responses WHERE workspace_id = @WorkspaceId AND user_id = @UserId";
    const string DeleteDisplays = "DELETE FROM displays WHERE workspace_id = @WorkspaceId AND user_id = @UserId";
    const string DeleteUser = "DELETE FROM end_users WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    /// <summary>Marks the user opted out (creating them if needed); false when they already were.</summary>
    public static bool OptOut(SqliteConnection c, SqliteTransaction tx, string workspaceId, string userId, long now) =>
        c.Execute(UpsertOptOut, new { WorkspaceId = workspaceId, UserId = userId, Now = now }, tx) == 1;

    /// <summary>
    /// Erases a user of a workspace: the hooks see each response and display before it goes, then
    /// <see cref="WriteHooks.UserErased"/> removes what they keep; then the rows are deleted.
    /// Returns whether anything of the user existed. Repeating it is harmless.
    /// </summary>
    public static bool Erase(SqliteConnection c, SqliteTransaction tx, string workspaceId, string userId, WriteHooks hooks)
    {
        var key = new { WorkspaceId = workspaceId, UserId = userId };
        var displays = c.Query<Display>(SelectDisplays, key, tx).ToDictionary(d => d.Id);
        var responses = c.Query<ResponseRow>(SelectResponses, key, tx).ToDictionary(r => r.DisplayId);
        foreach (var display in displays.Values)
        {
            var written = display.ToWritten();
            if (responses.TryGetValue(display.Id, out var r))
                hooks.ResponseDeleted(c, tx, new ResponseWritten(r.Id, written, (int)r.Score, r.Category, r.Comment, r.FollowUp,
                    r.CreatedAt, r.UpdatedAt, Created: false, PreviousScore: null, PreviousCategory: null));
            hooks.DisplayDeleted(c, tx, written);
        }
        hooks.UserErased(c, tx, workspaceId, userId);
        var deleted = c.Execute(DeleteResponses, key, tx) + c.Execute(DeleteDisplays, key, tx) + c.Execute(DeleteUser, key, tx);
        return deleted > 0;
    }

    sealed class ResponseRow
    {
        public long Id { get; set; }
        public long DisplayId { get; set; }
        public long Score { get; set; }
        public string Category { get; set; } = "";
        public string? Comment { get; set; }
        public string? FollowUp { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
    }
}
