using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Eligibility;

/// <summary>
/// The reads behind a decision, through the store that owns them (<see cref="DisplayStore"/>): the
/// user's row and their display history in one statement (the <c>end_users</c> primary key, then the
/// <c>displays_user</c> index), plus today's display count of capped surveys (<c>displays_survey_time</c>)
/// only when a capped survey could be shown.
/// </summary>
public static class EligibilityStore
{
    /// <summary>
    /// Loads what <see cref="EligibilityRules.Decide"/> needs about <paramref name="userId"/>, on the
    /// caller's connection: a <see cref="PooledReader"/>'s for the decision, the writer's for the re-check.
    /// </summary>
    public static UserHistory Load(DbConnection c, DbTransaction? tx, string workspaceId, string userId,
        IReadOnlyList<Survey> surveys, string? eventName, long now)
    {
        var (stored, history) = DisplayStore.UserHistory(c, tx, workspaceId, userId);
        var capped = Capped(surveys, eventName);
        return capped.Count == 0 || stored?.OptedOutAt is not null
            ? new UserHistory(stored, history, new Dictionary<string, int>())
            : new UserHistory(stored, history, DisplayStore.ShownSince(c, tx, capped, EligibilityRules.StartOfUtcDay(now)));
    }

    /// <summary>The active surveys with a daily cap that this call could show.</summary>
    static List<string> Capped(IReadOnlyList<Survey> surveys, string? eventName) =>
        surveys.Where(s => s.DailyCap is not null && s.Active && EligibilityRules.TriggerMatches(s, eventName)).Select(s => s.Id).ToList();
}
