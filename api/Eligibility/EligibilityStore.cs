using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Api.Eligibility;

/// <summary>
/// The reads behind a decision: the user's row and their display history, both by primary key
/// or index (<c>end_users</c> PK, <c>displays_user</c>), plus today's display count of capped
/// surveys (<c>displays_survey_time</c>) only when a capped survey could be shown.
/// </summary>
public static class EligibilityStore
{
    const string SelectHistory = """
        SELECT survey_id AS SurveyId,
               MAX(shown_at) AS LastShownAt,
               MAX(answered_at) AS LastAnsweredAt,
               MAX(declined_at) AS LastDeclinedAt,
               MAX(CASE WHEN answered_at IS NULL AND declined_at IS NULL THEN shown_at END) AS LastIgnoredAt
        FROM displays
        WHERE workspace_id = @WorkspaceId AND user_id = @UserId
        GROUP BY survey_id
        """;

    const string SelectDisplaysToday = """
        SELECT survey_id AS SurveyId, COUNT(*) AS Count FROM displays
        WHERE survey_id IN @SurveyIds AND shown_at >= @Since
        GROUP BY survey_id
        """;

    // Settable properties, not a constructor: an aggregate over NULLs has no declared column type,
    // so SQLite reports it as a blob and Dapper's constructor matching would refuse the row.
    sealed class HistoryRow
    {
        public string SurveyId { get; set; } = "";
        public long? LastShownAt { get; set; }
        public long? LastAnsweredAt { get; set; }
        public long? LastDeclinedAt { get; set; }
        public long? LastIgnoredAt { get; set; }
    }

    /// <summary>Loads what <see cref="EligibilityRules.Decide"/> needs about <paramref name="userId"/>, on the caller's connection.</summary>
    public static UserHistory Load(SqliteConnection c, SqliteTransaction? tx, string workspaceId, string userId,
        IReadOnlyList<Survey> surveys, string? eventName, long now)
    {
        var stored = EndUserStore.Find(c, tx, workspaceId, userId);
        var history = new Dictionary<string, SurveyHistory>(StringComparer.Ordinal);
        if (stored is not null)
            foreach (var row in c.Query<HistoryRow>(SelectHistory, new { WorkspaceId = workspaceId, UserId = userId }, tx))
                history[row.SurveyId] = new SurveyHistory(row.LastShownAt, row.LastAnsweredAt, row.LastDeclinedAt, row.LastIgnoredAt);

        var capped = surveys.Where(s => s.DailyCap is not null && s.Active && EligibilityRules.TriggerMatches(s, eventName))
            .Select(s => s.Id).ToList();
        var today = capped.Count == 0 || stored?.OptedOutAt is not null
            ? new Dictionary<string, int>()
            : c.Query<(string SurveyId, long Count)>(SelectDisplaysToday,
                    new { SurveyIds = capped, Since = EligibilityRules.StartOfUtcDay(now) }, tx)
                .ToDictionary(r => r.SurveyId, r => (int)r.Count, StringComparer.Ordinal);
        return new UserHistory(stored, history, today);
    }
}
