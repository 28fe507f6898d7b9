using Dapper;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// How SQLite runs the analytics statements whose cost grows with the data (issue 19): read from
/// <c>EXPLAIN QUERY PLAN</c> on a migrated file, so a lost index shows here and not only in bench/.
/// </summary>
public sealed class QueryPlanTests
{
    static readonly TimeProvider Time = TimeProvider.System;

    static List<string> Plan(string sql, object parameters)
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("plan.db")}", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, Time);
        return c.Query<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters).Select(r => r.Detail).ToList();
    }

    [Test]
    public void FollowUpMetrics_NextAnswerOfEachDetractor_IsOneSeekByUserAndTime()
    {
        var plan = Plan(FollowUpMetrics.SelectDetractors, new
        {
            WorkspaceId = "ws_1",
            SurveyIds = new[] { "srv_1", "srv_2" },
            From = 0L,
            To = long.MaxValue,
            Filters = "{}",
            ByAssignee = 0,
            GroupPath = (string?)null,
        });

        // Before responses_user_time the correlated lookup searched responses_survey_time (survey_id=?):
        // every answer of the survey once per detractor.
        Assert.That(plan, Has.Some.Contains("SEARCH x USING INDEX responses_user_time (workspace_id=? AND user_id=?"), string.Join("\n", plan));
    }
}
