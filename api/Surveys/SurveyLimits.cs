using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Pulse.Api.Operations;

namespace Pulse.Api.Surveys;

/// <summary>
/// How many surveys a workspace may have. Every eligibility call of a workspace carries all its
/// surveys, so these counts (with the per-survey limits of <see cref="SurveyValidation"/>) bound
/// what one tenant can make each call, and the survey cache, cost. Checked inside the writer's
/// transaction, so two concurrent creates cannot both take the last place.
/// </summary>
public static class SurveyLimits
{
    /// <summary>Null when the workspace may add a survey (<paramref name="adding"/>) and/or one more active survey; else the 409.</summary>
    public static ProblemHttpResult? Refusal(DbConnection c, DbTransaction tx, string workspaceId, bool adding, bool activating, SurveyOptions options)
    {
        if (!adding && !activating)
            return null;
        var (total, active) = SurveyStore.Count(c, tx, workspaceId);
        if (adding && total >= options.MaxPerWorkspace)
            return LimitReached.Problem("Surveys:MaxPerWorkspace", options.MaxPerWorkspace,
                $"This workspace has {total} surveys, the most it may have ({options.MaxPerWorkspace}). Delete a survey you no longer use first.");
        if (activating && active >= options.MaxActivePerWorkspace)
            return LimitReached.Problem("Surveys:MaxActivePerWorkspace", options.MaxActivePerWorkspace,
                $"This workspace has {active} active surveys, the most it may have ({options.MaxActivePerWorkspace}). " +
                "Pause or delete one first, or save this survey with \"active\": false.");
        return null;
    }
}
