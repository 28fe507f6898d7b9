using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// How SQLite runs the analytics statements whose cost grows with the data (issue 19): read from
/// <c>EXPLAIN QUERY PLAN</c> on a migrated file, so a lost index shows here and not only in bench/.
/// PostgreSQL's own comment index is checked with its <c>EXPLAIN</c>.
/// </summary>
public sealed class QueryPlanTests
{
    static readonly TimeProvider Time = TimeProvider.System;

    static List<string> Plan(string sql, object parameters)
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("plan.db")}", dir.Path);
        using var c = (Microsoft.Data.Sqlite.SqliteConnection)db.Open();
        Migrator.Apply(c, Time);
        c.CreateFunction<string?, string?>("pulse_fold", ResponseReadStore.Fold, isDeterministic: true);
        return c.Query<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters).Select(r => r.Detail).ToList();
    }

    [Test]
    public void GroupsByAccount_FindEachAccountAndItsTotals_BySeeksOfThePrimaryKey()
    {
        var plan = Plan(AccountAggregates.AccountsOfSurveySql, new { SurveyId = "srv_1", From = 20_000L, To = 20_090L });

        // DISTINCT (or GROUP BY) would read every day row of every account: 730,000 at 2,000 accounts active all year.
        // Each step of the recursion is one seek past the previous account, each total one seek backwards from a day.
        Assert.That(plan, Has.None.StartsWith("SCAN account_running").And.None.StartsWith("SCAN x").And.None.StartsWith("SCAN y"), string.Join("\n", plan));
        Assert.That(plan, Has.Some.Contains("SEARCH y USING PRIMARY KEY (survey_id=? AND account>?)"), string.Join("\n", plan));
        Assert.That(plan, Has.Some.Contains("SEARCH x USING PRIMARY KEY (survey_id=? AND account=? AND day<?)"), string.Join("\n", plan));
    }

    [TestCase(0)]
    [TestCase(1)]
    public void FollowUpMetrics_NextAnswerOfEachDetractor_IsOneSeekByUserAndTime(int displays)
    {
        var plan = Plan(FollowUpMetrics.SelectDetractors[displays, (int)NextSource.Search], new
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
        // every answer of the survey once per detractor. Since 0230 the seek reads only the index, from the answer on.
        Assert.That(plan, Has.Some.Contains("SEARCH x USING COVERING INDEX responses_user_time (workspace_id=? AND user_id=? AND created_at>?)"), string.Join("\n", plan));
        if (displays == 0)
            Assert.That(plan, Has.Some.Contains("SEARCH r USING COVERING INDEX responses_survey_time (survey_id=? AND created_at>? AND created_at<?)"), string.Join("\n", plan));
    }

    [TestCase(0, NextSource.Survey)]
    [TestCase(1, NextSource.Survey)]
    [TestCase(0, NextSource.Kind)]
    [TestCase(1, NextSource.Kind)]
    public void FollowUpMetrics_StoredNextAnswer_IsOneRowByKey_AndNoSearch(int displays, NextSource source)
    {
        var plan = Plan(FollowUpMetrics.SelectDetractors[displays, (int)source], new
        {
            WorkspaceId = "ws_1",
            SurveyIds = new[] { "srv_1", "srv_2" },
            From = 0L,
            To = long.MaxValue,
            Filters = "{}",
            ByAssignee = 0,
            GroupPath = (string?)null,
        });

        // Decision FM1: the next answer is read from the detractor's response_next row, by its key; responses is not searched again.
        Assert.That(plan, Has.Some.Contains("SEARCH n USING INTEGER PRIMARY KEY (rowid=?)"), string.Join("\n", plan));
        Assert.That(plan, Has.None.Contains("responses_user_time"), string.Join("\n", plan));
        if (displays == 0)
            Assert.That(plan, Has.Some.Contains("SEARCH r USING COVERING INDEX responses_survey_time (survey_id=? AND created_at>? AND created_at<?)"), string.Join("\n", plan));
    }

    [Test]
    public void FilterWithGroupBy_ReadsThePairAggregates_ByTheirKey()
    {
        var plan = Plan(MetricsStore.PairSql(new Dictionary<string, string> { ["plan"] = "premium" }, "role", buckets: 1), new
        {
            SurveyIds = new[] { "srv_1" },
            KeyA = "plan",
            KeyB = "role",
            ValueA = "premium",
            From = 0L,
            To = 100L,
        });

        Assert.That(plan, Has.Some.Contains("SEARCH nps_pair_daily USING PRIMARY KEY (survey_id=? AND key_a=? AND key_b=? AND day>? AND day<?)"), string.Join("\n", plan));
    }

    [Test]
    public void PartialDayEdge_OfAGroupBy_ReadsTheHourRows_ByTheirKey()
    {
        // The whole hours between the default range's end (now) and its nearest midnight, for groupBy=plan (decision Q1).
        // Every span of a request is one statement (decision Q3): the spans are the outer loop, each one search of the key.
        var plan = Plan(MetricsStore.TraitHourSpansSql("plan", null, 2), new
        {
            SurveyIds = new[] { "srv_1" },
            Key = "plan",
            Value = (string?)null,
            F0 = 490_000L,
            T0 = 490_009L,
            F1 = 490_024L,
            T1 = 490_030L,
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan, Has.Some.Contains("SEARCH nps_hourly USING PRIMARY KEY (survey_id=? AND trait_key=? AND hour>? AND hour<?)"), string.Join("\n", plan));
            Assert.That(plan.FindIndex(p => p.Contains("spans")), Is.LessThan(plan.FindIndex(p => p.Contains("nps_hourly"))), "the spans are the outer loop");
        }
    }

    [Test]
    public void PartHours_OfEveryEdge_ReadRawRows_ByTheTimeIndex()
    {
        // The part-hours at a zone's :15 day edges, read raw in one statement (decisions Q2, Q3).
        var plan = Plan(MetricsStore.RawSpansSql(2), new
        {
            SurveyIds = new[] { "srv_1" },
            Grain = 1L,
            Filters = "{}",
            GroupPath = "$.\"plan\"",
            F0 = 1_764_000_000_000L,
            T0 = 1_764_000_900_000L,
            F1 = 1_764_086_400_000L,
            T1 = 1_764_087_300_000L,
        });

        Assert.That(plan, Has.Some.Matches<string>(p => p.StartsWith("SEARCH r USING INDEX", StringComparison.Ordinal) && p.Contains("created_at>? AND created_at<?")), string.Join("\n", plan));
        Assert.That(plan, Has.Some.Matches<string>(p => p.StartsWith("SEARCH d USING INDEX", StringComparison.Ordinal) && p.Contains("shown_at>? AND shown_at<?")), string.Join("\n", plan));
    }

    [TestCase(NextSource.Survey)]
    [TestCase(NextSource.Kind)]
    public void FollowUpMetrics_Recovery_IsOneScanOfTheDetractorIndex_AndTheTouchedFollowUpsLead(NextSource source)
    {
        // Decision FM2: the detractors' recovery counted from the partial index alone; the followed-up part starts from the follow-ups.
        var parameters = new { WorkspaceId = "ws_1", SurveyIds = new[] { "srv_1", "srv_2" }, From = 0L, To = long.MaxValue };
        var recovery = Plan(FollowUpMetrics.RecoveryOf(source), parameters);
        Assert.That(recovery, Has.Some.StartsWith("SEARCH n USING COVERING INDEX response_next_detractors (survey_id=? AND created_at>? AND created_at<?)"),
            string.Join("\n", recovery));
        var followed = Plan(FollowUpMetrics.FollowedUpOf(source), parameters);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(followed[0], Does.StartWith("SEARCH f USING INDEX").Or.StartWith("SCAN f"), string.Join("\n", followed));
            Assert.That(followed, Has.Some.StartsWith("SEARCH n USING INTEGER PRIMARY KEY (rowid=?)"), string.Join("\n", followed));
        }
    }

    [Test]
    public void CommentSearch_CountsFromTheFullTextIndex()
    {
        var plan = Plan(ResponseReadStore.Count[1], SearchForSlow);

        Assert.That(plan, Has.Some.Contains("SCAN comment_search VIRTUAL TABLE INDEX"), string.Join("\n", plan));
    }

    [Test]
    public void CommentSearch_ByMatches_LooksUpEachMatchByItsId_NotTheRange()
    {
        // Decisions Q4: with few enough matches, the read starts from them and seeks each answer by id.
        foreach (var sql in new[] { ResponseReadStore.Count[ResponseReadStore.ByMatches], ResponseReadStore.CountWithoutTraits[ResponseReadStore.ByMatches] })
        {
            var plan = Plan(sql, SearchForSlow);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(plan, Has.Some.Contains("SCAN comment_search VIRTUAL TABLE INDEX"), string.Join("\n", plan));
                Assert.That(plan, Has.Some.StartsWith("SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"), string.Join("\n", plan));
                Assert.That(plan, Has.None.Contains("responses_workspace_time").And.None.Contains("responses_survey_time"), string.Join("\n", plan));
            }
        }
        Assert.That(Plan(ResponseReadStore.CountWithoutTraits[ResponseReadStore.ByMatches], SearchForSlow), Has.None.StartsWith("SEARCH d "),
            "without a trait filter the count reads no display");
    }

    /// <summary>The <c>q</c> parameters of <see cref="ResponseReadStore.Count"/> for the folded query SLOW, every other filter off.</summary>
    static object SearchForSlow => new
    {
        WorkspaceId = "ws_1",
        SurveyId = (string?)null,
        From = 0L,
        To = long.MaxValue,
        BeforeAt = long.MaxValue,
        BeforeId = long.MaxValue,
        Categories = (string?)null,
        Text = "SLOW",
        Phrase = "\"SLOW\"",
        Pattern = "%SLOW%",
        Filters = "{}",
        WithComment = 0,
        Tag = (string?)null,
    };

    /// <summary>
    /// PostgreSQL (migration 0200): over 20,000 analysed answers of one workspace, <c>q</c> is looked up in the
    /// trigram index of the folded comment rather than filtered from every row of the workspace.
    /// </summary>
    [Test]
    [Category(TestCategories.Process)]
    public void CommentSearch_OnPostgres_LooksUpTheTrigramIndex()
    {
        using var database = Postgres.CreateDatabase();
        var db = new Db(database.ConnectionString, ".", provider: StorageProvider.Postgres);
        using var c = db.Open();
        Migrator.Apply(c, Time);
        // Rows straight in the two tables the statement reads; foreign keys are not checked (replica role).
        c.Execute("""
            SET session_replication_role = replica;
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at)
            SELECT i, 'ws_1', 'srv_1', 'u' || i, decode(md5(CAST(i AS TEXT)), 'hex'), i, i FROM generate_series(1, 20000) AS s(i);
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, comment, created_at, updated_at)
            SELECT i, 'ws_1', 'srv_1', 'u' || i, i % 11, 'passive', md5(CAST(i AS TEXT)) || ' ' || md5(CAST(-i AS TEXT)), i, i
            FROM generate_series(1, 20000) AS s(i);
            SET session_replication_role = DEFAULT;
            ANALYZE displays;
            ANALYZE responses;
            """);

        var plan = c.Query<string>("EXPLAIN " + c.Sql(ResponseReadStore.Count[2]), SearchForSlow).ToList();

        Assert.That(plan, Has.Some.Contains("Index Scan on responses_comment_trigrams"), string.Join("\n", plan));
    }
}
