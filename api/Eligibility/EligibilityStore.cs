using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Api.Eligibility;

/// <summary>
/// The reads behind a decision: the user's row and their display history in one statement (the
/// <c>end_users</c> primary key, then the <c>displays_user</c> index), plus today's display count of capped
/// surveys (<c>displays_survey_time</c>) only when a capped survey could be shown.
/// </summary>
public static class EligibilityStore
{
    // One statement for the user's row and their history per survey: a user never seen gives no
    // row, a user without displays one row with a null survey. The bare user columns are the
    // same on every row of the group (one user), which SQLite allows.
    const string SelectUserAndHistory = """
        SELECT u.email AS Email, u.signed_up_at AS SignedUpAt, u.first_seen_at AS FirstSeenAt, u.last_seen_at AS LastSeenAt,
               u.traits AS Traits, u.opted_out_at AS OptedOutAt,
               d.survey_id AS SurveyId,
               MAX(d.shown_at) AS LastShownAt,
               MAX(d.answered_at) AS LastAnsweredAt,
               MAX(d.declined_at) AS LastDeclinedAt,
               MAX(CASE WHEN d.answered_at IS NULL AND d.declined_at IS NULL THEN d.shown_at END) AS LastIgnoredAt
        FROM end_users u
        LEFT JOIN displays d ON d.workspace_id = u.workspace_id AND d.user_id = u.user_id
        WHERE u.workspace_id = @WorkspaceId AND u.user_id = @UserId
        GROUP BY d.survey_id
        """;

    const string SelectDisplaysToday = """
        SELECT survey_id AS SurveyId, COUNT(*) AS Count FROM displays
        WHERE survey_id IN @SurveyIds AND shown_at >= @Since
        GROUP BY survey_id
        """;

    // Settable properties, not a constructor: an aggregate over NULLs has no declared column type,
    // so SQLite reports it as a blob and Dapper's constructor matching would refuse the row.
    sealed class Row
    {
        public string? Email { get; set; }
        public long? SignedUpAt { get; set; }
        public long FirstSeenAt { get; set; }
        public long LastSeenAt { get; set; }
        public string Traits { get; set; } = "{}";
        public long? OptedOutAt { get; set; }
        public string? SurveyId { get; set; }
        public long? LastShownAt { get; set; }
        public long? LastAnsweredAt { get; set; }
        public long? LastDeclinedAt { get; set; }
        public long? LastIgnoredAt { get; set; }
    }

    /// <summary>
    /// The same as <see cref="Load(SqliteConnection, SqliteTransaction?, string, string, IReadOnlyList{Survey}, string?, long)"/>
    /// on a pooled reader whose statement is prepared once: the not-eligible path runs this on every call.
    /// </summary>
    public static UserHistory Load(PooledReader reader, string workspaceId, string userId, IReadOnlyList<Survey> surveys, string? eventName, long now)
    {
        EndUser? stored = null;
        var history = new Dictionary<string, SurveyHistory>(StringComparer.Ordinal);
        var command = reader.Command(SelectUserAndHistory, "@WorkspaceId", "@UserId");
        command.Parameters[0].Value = workspaceId;
        command.Parameters[1].Value = userId;
        using (var r = command.ExecuteReader())
        {
            static long? Long(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
            while (r.Read())
            {
                stored ??= new EndUser(workspaceId, userId, r.IsDBNull(0) ? null : r.GetString(0), Long(r, 1), r.GetInt64(2), r.GetInt64(3),
                    r.GetString(4), Long(r, 5));
                if (!r.IsDBNull(6))
                    history[r.GetString(6)] = new SurveyHistory(Long(r, 7), Long(r, 8), Long(r, 9), Long(r, 10));
            }
        }
        var capped = surveys.Where(s => s.DailyCap is not null && s.Active && EligibilityRules.TriggerMatches(s, eventName))
            .Select(s => s.Id).ToList();
        if (capped.Count == 0 || stored?.OptedOutAt is not null)
            return new UserHistory(stored, history, new Dictionary<string, int>());
        var today = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = reader.Command(SelectDisplaysTodayOne, "@SurveyId", "@Since");
        foreach (var surveyId in capped)
        {
            count.Parameters[0].Value = surveyId;
            count.Parameters[1].Value = EligibilityRules.StartOfUtcDay(now);
            today[surveyId] = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return new UserHistory(stored, history, today);
    }

    const string SelectDisplaysTodayOne = "SELECT COUNT(*) FROM displays WHERE survey_id = @SurveyId AND shown_at >= @Since";

    /// <summary>Loads what <see cref="EligibilityRules.Decide"/> needs about <paramref name="userId"/>, on the caller's connection.</summary>
    public static UserHistory Load(SqliteConnection c, SqliteTransaction? tx, string workspaceId, string userId,
        IReadOnlyList<Survey> surveys, string? eventName, long now)
    {
        EndUser? stored = null;
        var history = new Dictionary<string, SurveyHistory>(StringComparer.Ordinal);
        foreach (var row in c.Query<Row>(SelectUserAndHistory, new { WorkspaceId = workspaceId, UserId = userId }, tx))
        {
            stored ??= new EndUser(workspaceId, userId, row.Email, row.SignedUpAt, row.FirstSeenAt, row.LastSeenAt, row.Traits, row.OptedOutAt);
            if (row.SurveyId is not null)
                history[row.SurveyId] = new SurveyHistory(row.LastShownAt, row.LastAnsweredAt, row.LastDeclinedAt, row.LastIgnoredAt);
        }

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
