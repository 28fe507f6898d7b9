using System.ComponentModel;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.FollowUps;

/// <summary><c>GET /v1/metrics/follow-ups</c>.</summary>
public sealed record FollowUpMetricsQuery(
    [property: Description("Only this survey (all surveys of the workspace when absent).")][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description("Start of the answers counted: a date (2026-01-31) or an ISO 8601 date-time. Default: 90 days before to.")][FromQuery(Name = "from")] string? From,
    [property: Description("End of the answers counted (a date counts whole). Default: now.")][FromQuery(Name = "to")] string? To,
    [property: Description("assignee (the follow-up's member, 'none' when unassigned), or a trait key of the display snapshot (e.g. csm).")][FromQuery(Name = "groupBy")] string? GroupBy,
    TraitFilters? Where);

/// <summary>A share with its 95 % interval (normal approximation, as the NPS margin), and whether the sample is small.</summary>
public sealed record Share(long Count, long Of, double? Rate, double? Low, double? High, bool LowSample);

/// <summary>Hours from opening to the first touch, over the touched follow-ups (linear interpolation between ranks).</summary>
public sealed record TouchTimes(double? MedianHours, double? P90Hours);

/// <summary>Among detractors who answered again, the share whose next answer was passive or promoter.</summary>
public sealed record Recovery(Share FollowedUp, Share NotFollowedUp);

/// <summary>The loop's statistics over one set of answers.</summary>
public record FollowUpStats
{
    /// <summary>Follow-ups on answers of the range.</summary>
    public long FollowUps { get; init; }

    public long Touched { get; init; }

    public TouchTimes TimeToFirstTouch { get; init; } = new(null, null);

    /// <summary>Detractors' follow-ups touched within the SLA, of those touched or past it (still inside it and untouched: not counted yet).</summary>
    public Share TouchedWithinSla { get; init; } = null!;

    public Share Closed { get; init; } = null!;

    public Recovery Recovery { get; init; } = null!;

    /// <summary><paramref name="target"/> (a report or a group) with these statistics.</summary>
    public T Onto<T>(T target) where T : FollowUpStats => (T)((FollowUpStats)target with
    {
        FollowUps = FollowUps,
        Touched = Touched,
        TimeToFirstTouch = TimeToFirstTouch,
        TouchedWithinSla = TouchedWithinSla,
        Closed = Closed,
        Recovery = Recovery,
    });
}

public sealed record FollowUpGroup : FollowUpStats
{
    public string Value { get; init; } = "";
}

public sealed record FollowUpMetricsReport : FollowUpStats
{
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }
    public int SlaHours { get; init; }
    public string? GroupBy { get; init; }
    public IReadOnlyList<FollowUpGroup>? Groups { get; init; }
}

/// <summary>
/// Is the loop closed? Time to first touch, the share of detractors touched within the SLA, the
/// closure rate and the recovery rate, for the answers of a range (same range, survey, trait filter
/// and groupBy rules as the NPS metrics). Two statements over the answers of the range; the
/// arithmetic is <see cref="FollowUpMath"/>.
/// </summary>
public static class FollowUpMetrics
{
    /// <summary>The group of a row: the assignee, a trait of the display's snapshot (<c>d</c>), or '' without groups.</summary>
    static string Group(bool displays) =>
        $"CASE WHEN CAST(@ByAssignee AS INTEGER) = 1 THEN COALESCE(m.email, 'none') ELSE {(displays ? TraitSql.GroupValue : "''")} END";

    // Without a trait filter or trait groups the answers are read alone (RL2): the surveys read are the workspace's,
    // and the range scan reads only the index responses_survey_time (0230), not the answers' and displays' rows.
    static string Answers(bool displays) => displays
        ? $"""
            r.workspace_id = @WorkspaceId AND r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To
              AND {TraitSql.MatchesFilters}
            """
        : "r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To";

    static string Source(bool displays) => displays ? "responses r JOIN displays d ON d.id = r.display_id" : "responses r";

    static string SelectFollowUpsOf(bool displays) => $"""
        SELECT f.created_at AS OpenedAt, f.first_touched_at AS TouchedAt, f.status AS Status, r.category AS Category, {Group(displays)} AS GroupValue
        FROM follow_ups f JOIN responses r ON r.id = f.response_id{(displays ? " JOIN displays d ON d.id = r.display_id" : "")}
        LEFT JOIN members m ON m.id = f.assignee_id
        WHERE {Answers(displays)}
        """;

    /// <summary>The same user's next answer in the surveys read after answer <c>r</c>: one seek of responses_user_time, which holds the column read (0230).</summary>
    static string Next(string column) => $"""
        (SELECT x.{column} FROM responses x
         WHERE x.workspace_id = @WorkspaceId AND x.user_id = r.user_id AND (x.created_at, x.id) > (r.created_at, r.id) AND x.survey_id IN @SurveyIds
         ORDER BY x.created_at, x.id LIMIT 1)
        """;

    /// <summary>The next answer's time and category: searched (<see cref="Next"/>), or read from the answer's <c>response_next</c> row (decision FM1).</summary>
    static string NextOf(NextSource source) => source switch
    {
        NextSource.Survey => "n.survey_next_at AS NextAt, n.survey_next_category AS NextCategory",
        NextSource.Kind => "n.kind_next_at AS NextAt, n.kind_next_category AS NextCategory",
        _ => $"{Next("created_at")} AS NextAt, {Next("category")} AS NextCategory",
    };

    // Each detractor answer of the range, the same user's next answer (in the surveys read) and the first touch of its follow-up.
    static string SelectDetractorsOf(bool displays, NextSource source) => $"""
        SELECT {NextOf(source)}, f.first_touched_at AS TouchedAt, {Group(displays)} AS GroupValue
        FROM {Source(displays)}{(source == NextSource.Search ? "" : "\nLEFT JOIN response_next n ON n.response_id = r.id")}
        LEFT JOIN follow_ups f ON f.response_id = r.id
        LEFT JOIN members m ON m.id = f.assignee_id
        WHERE r.category = 'detractor' AND {Answers(displays)}
        """;

    internal static readonly string[] SelectFollowUps = [SelectFollowUpsOf(false), SelectFollowUpsOf(true)];

    /// <summary>
    /// <see cref="SelectFollowUps"/> without displays, starting from the workspace's follow-ups (each answer sought by its
    /// id) instead of from the range's answers (each follow-up sought by its answer): chosen when the workspace has no
    /// more follow-ups than the range has detractors, so it reads no more rows than the other (decision FM2).
    /// </summary>
    internal static readonly string SelectFollowUpsFromFollowUps = """
        SELECT f.created_at AS OpenedAt, f.first_touched_at AS TouchedAt, f.status AS Status, r.category AS Category, '' AS GroupValue
        FROM follow_ups f CROSS JOIN responses r
        WHERE f.workspace_id = @WorkspaceId AND r.id = f.response_id
          AND r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To
        """;

    /// <summary>The workspace's follow-ups, counted up to <c>@Cap</c> (one scan of an index led by the workspace).</summary>
    const string CountFollowUps = "SELECT count(*) FROM (SELECT 1 FROM follow_ups WHERE workspace_id = @WorkspaceId LIMIT @Cap) AS capped";

    /// <summary>The stored next answer's columns of a scope (<see cref="NextSource.Survey"/> or <see cref="NextSource.Kind"/>).</summary>
    static string Prefix(NextSource source) => source == NextSource.Survey ? "survey" : "kind";

    /// <summary>
    /// The detractor answers of the range that were answered again, and of those the ones whose next answer was not a
    /// detractor: counted in the database from the partial index <c>response_next_detractors</c> alone (decision FM2).
    /// </summary>
    internal static string RecoveryOf(NextSource source) => $"""
        SELECT count(*) AS Detractors, count(n.{Prefix(source)}_next_category) AS AnsweredAgain,
               count(CASE WHEN n.{Prefix(source)}_next_category <> 'detractor' THEN 1 END) AS AgainRecovered
        FROM response_next n
        WHERE n.category = 'detractor' AND n.survey_id IN @SurveyIds AND n.created_at >= @From AND n.created_at < @To
        """;

    /// <summary>
    /// Of those answered again, the ones whose follow-up was touched before the next answer came (and of those, the
    /// recovered): from the workspace's touched follow-ups, each joined to its answer's row of <c>response_next</c>.
    /// <c>CROSS JOIN</c> keeps the follow-ups the outer loop in SQLite (decision FM2).
    /// </summary>
    internal static string FollowedUpOf(NextSource source) => $"""
        SELECT count(*) AS FollowedUp, count(CASE WHEN n.{Prefix(source)}_next_category <> 'detractor' THEN 1 END) AS FollowedRecovered
        FROM follow_ups f CROSS JOIN response_next n
        WHERE f.workspace_id = @WorkspaceId AND f.first_touched_at IS NOT NULL AND n.response_id = f.response_id
          AND n.category = 'detractor' AND n.survey_id IN @SurveyIds AND n.created_at >= @From AND n.created_at < @To
          AND n.{Prefix(source)}_next_category IS NOT NULL AND f.first_touched_at <= n.{Prefix(source)}_next_at
        """;

    /// <summary>
    /// The recovery counts of a read without groups or trait filters whose next answers are stored (decision FM2): two
    /// counting statements instead of one row per detractor.
    /// </summary>
    internal static RecoveryCounts ReadRecovery(System.Data.Common.DbConnection c, NextSource source, object parameters)
    {
        var again = c.QuerySingle<(long Detractors, long AnsweredAgain, long AgainRecovered)>(c.Sql(RecoveryOf(source)), parameters);
        var followed = c.QuerySingle<(long FollowedUp, long FollowedRecovered)>(c.Sql(FollowedUpOf(source)), parameters);
        return new RecoveryCounts(again.AnsweredAgain, again.AgainRecovered, followed.FollowedUp, followed.FollowedRecovered) { Detractors = again.Detractors };
    }

    /// <summary>The detractor statement without (0) and with (1) displays, for each <see cref="NextSource"/>.</summary>
    internal static readonly string[,] SelectDetractors = Detractors();

    static string[,] Detractors()
    {
        var sources = Enum.GetValues<NextSource>();
        var all = new string[2, sources.Length];
        for (var displays = 0; displays < 2; displays++)
            foreach (var source in sources)
                all[displays, (int)source] = SelectDetractorsOf(displays == 1, source);
        return all;
    }

    /// <summary>
    /// Where the next answers of a read in <paramref name="surveys"/> come from: the stored scope equal to that set, else the
    /// search. With <paramref name="surveyId"/> the set is that survey (the same-survey scope); without it,
    /// <c>SurveyStore.Ids(…, SurveyUse.Reports)</c> is every NPS survey of the workspace, deleted ones too — the kind scope
    /// of every answer read (the workspace's surveys of its survey's kind, the same rule, decision FM1).
    /// </summary>
    internal static NextSource SourceFor(string? surveyId, IReadOnlyList<string> surveys) => surveyId switch
    {
        null => NextSource.Kind,
        _ when surveys.Count == 1 && surveys[0] == surveyId => NextSource.Survey,
        _ => NextSource.Search,
    };

    /// <summary>The detractor facts of a read (<paramref name="parameters"/> as the endpoint binds them).</summary>
    internal static List<DetractorFact> ReadDetractors(System.Data.Common.DbConnection c, int displays, NextSource source, object parameters) =>
        c.Query<DetractorFact>(c.Sql(SelectDetractors[displays, (int)source]), parameters).ToList();

    public static IEndpointRouteBuilder MapFollowUpMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/metrics/follow-ups", Get).WithName("GetFollowUpMetrics").WithTags("Follow-ups").RequirePermission(Permissions.ReadFollowUps)
            .ProducesProblem(StatusCodes.Status404NotFound).WithMetadata(TraitFilters.OpenApi)
            .WithSummary("Time to first touch (median, p90), share touched within the SLA, closure rate and recovery rate (followed up or not, 95 % intervals); groups per assignee or trait.");
        return app;
    }

    static Results<Ok<FollowUpMetricsReport>, ValidationProblem, ProblemHttpResult> Get(
        [AsParameters] FollowUpMetricsQuery query, HttpRequest request, ClaimsPrincipal user, Db db, SurveyStore surveyStore, TimeProvider time)
    {
        var args = QueryArgs.For<FollowUpMetricsQuery>(request.Query);
        var where = args.Where(query.Where);
        var byAssignee = query.GroupBy == "assignee";
        var group = byAssignee ? null : args.TraitKey("groupBy", query.GroupBy);
        var (start, end) = AnalyticsEndpoints.Range(args, query.From, query.To, TimeZoneInfo.Utc, time);
        if (!args.Ok)
            return TypedResults.ValidationProblem(args.Errors, detail: args.Detail);
        var workspaceId = user.WorkspaceId();
        if (surveyStore.Ids(workspaceId, query.SurveyId, SurveyUse.Reports) is not { } surveys)
            return SurveyEndpoints.NotFound(query.SurveyId);
        using var c = db.OpenForScans();
        var sla = FollowUpStore.Settings(c, null, workspaceId).SlaHours;
        var parameters = new
        {
            WorkspaceId = workspaceId,
            SurveyIds = surveys,
            From = start,
            To = end,
            Filters = System.Text.Json.JsonSerializer.Serialize(where),
            ByAssignee = byAssignee,
            GroupPath = group is null ? null : TraitSql.PathOf(group),
        };
        var displays = where.Count > 0 || group is not null ? 1 : 0;
        var source = SourceFor(query.SurveyId, surveys);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (query.GroupBy is null && displays == 0 && source != NextSource.Search)
        {
            // No groups, no trait filter, next answers stored: the recovery is counted, not read row by row; the follow-ups
            // are read from the follow-ups' side when there are no more of them than detractors in the range (FM2).
            var recovery = ReadRecovery(c, source, parameters);
            var few = c.ExecuteScalar<long>(CountFollowUps, new { WorkspaceId = workspaceId, Cap = recovery.Detractors + 1 }) <= recovery.Detractors;
            var read = c.Query<FollowUpFact>(c.Sql(few ? SelectFollowUpsFromFollowUps : SelectFollowUps[0]), parameters).ToList();
            var counted = FollowUpMath.Summarise(read, recovery, sla, now);
            return TypedResults.Ok(counted.Onto(new FollowUpMetricsReport
            {
                From = Db.FromUnixMs(start),
                To = Db.FromUnixMs(end),
                SlaHours = sla,
            }));
        }
        var followUps = c.Query<FollowUpFact>(c.Sql(SelectFollowUps[displays]), parameters).ToList();
        var detractors = ReadDetractors(c, displays, source, parameters);
        var all = FollowUpMath.Summarise(followUps, detractors, sla, now);
        IReadOnlyList<FollowUpGroup>? groups = null;
        if (query.GroupBy is not null)
            groups = followUps.Select(f => f.GroupValue).Concat(detractors.Select(d => d.GroupValue)).OfType<string>()
                .Distinct().Order(StringComparer.Ordinal)
                .Select(v => FollowUpMath.Summarise(followUps.Where(f => f.GroupValue == v).ToList(), detractors.Where(d => d.GroupValue == v).ToList(), sla, now)
                    .Onto(new FollowUpGroup { Value = v }))
                .ToList();
        return TypedResults.Ok(all.Onto(new FollowUpMetricsReport
        {
            From = Db.FromUnixMs(start),
            To = Db.FromUnixMs(end),
            SlaHours = sla,
            GroupBy = query.GroupBy,
            Groups = groups,
        }));
    }
}

/// <summary>Where the follow-up metrics read each detractor's next answer (decision FM1).</summary>
public enum NextSource
{
    /// <summary>Two correlated seeks of <c>responses_user_time</c> in the surveys read: right for any set of surveys.</summary>
    Search,

    /// <summary><c>response_next</c>'s same-survey columns: a read of one survey.</summary>
    Survey,

    /// <summary><c>response_next</c>'s columns for the workspace's surveys of the answer's kind: a read of every NPS survey.</summary>
    Kind,
}

/// <summary>A follow-up of an answer in the range.</summary>
public sealed class FollowUpFact
{
    public long OpenedAt { get; set; }
    public long? TouchedAt { get; set; }
    public string Status { get; set; } = "";
    public string Category { get; set; } = "";
    public string? GroupValue { get; set; }
}

/// <summary>A detractor answer of the range with the same user's next answer, if any.</summary>
public sealed class DetractorFact
{
    public long? NextAt { get; set; }
    public string? NextCategory { get; set; }
    public long? TouchedAt { get; set; }
    public string? GroupValue { get; set; }
}

/// <summary>
/// What the recovery rate needs of the detractor answers of a read: how many were answered again and how many of those
/// recovered (a next answer that is not a detractor), and the same for those whose follow-up was touched before the next
/// answer came (followed up; the rest of those answered again were not).
/// </summary>
public readonly record struct RecoveryCounts(long AnsweredAgain, long AgainRecovered, long FollowedUp, long FollowedRecovered)
{
    /// <summary>Every detractor answer of the read, answered again or not (how many follow-ups reading from their side may cost).</summary>
    public long Detractors { get; init; }

    /// <summary>The counts of detractor facts read row by row.</summary>
    public static RecoveryCounts Of(IEnumerable<DetractorFact> detractors)
    {
        long all = 0, again = 0, againRecovered = 0, followed = 0, followedRecovered = 0;
        foreach (var d in detractors)
        {
            all++;
            if (d.NextCategory is null)
                continue;
            var recovered = d.NextCategory != NpsCategory.Detractor;
            again++;
            againRecovered += recovered ? 1 : 0;
            // Followed up: the follow-up was touched before the next answer came.
            if (d.TouchedAt is { } t && t <= d.NextAt)
            {
                followed++;
                followedRecovered += recovered ? 1 : 0;
            }
        }
        return new RecoveryCounts(again, againRecovered, followed, followedRecovered) { Detractors = all };
    }
}

/// <summary>The arithmetic of the follow-up metrics. Pure.</summary>
public static class FollowUpMath
{
    /// <summary>Below this many cases a share is flagged <c>lowSample</c> (as NPS is).</summary>
    public static long LowSampleThreshold => NpsMath.LowSampleThreshold;

    public static FollowUpStats Summarise(IReadOnlyList<FollowUpFact> followUps, IReadOnlyList<DetractorFact> detractors, int slaHours, long now) =>
        Summarise(followUps, RecoveryCounts.Of(detractors), slaHours, now);

    public static FollowUpStats Summarise(IReadOnlyList<FollowUpFact> followUps, RecoveryCounts recovery, int slaHours, long now)
    {
        var sla = slaHours * 3_600_000L;
        var hours = followUps.Where(f => f.TouchedAt is not null).Select(f => (f.TouchedAt!.Value - f.OpenedAt) / 3_600_000.0).Order().ToList();
        var detractorFollowUps = followUps.Where(f => f.Category == NpsCategory.Detractor && (f.TouchedAt is not null || now - f.OpenedAt > sla)).ToList();
        return new FollowUpStats
        {
            FollowUps = followUps.Count,
            Touched = hours.Count,
            TimeToFirstTouch = new TouchTimes(Round1(Percentile(hours, 0.5)), Round1(Percentile(hours, 0.9))),
            TouchedWithinSla = ShareOf(detractorFollowUps.Count(f => f.TouchedAt - f.OpenedAt <= sla), detractorFollowUps.Count),
            Closed = ShareOf(followUps.Count(f => f.Status == FollowUpStatus.Closed), followUps.Count),
            Recovery = new Recovery(
                ShareOf(recovery.FollowedRecovered, recovery.FollowedUp),
                ShareOf(recovery.AgainRecovered - recovery.FollowedRecovered, recovery.AnsweredAgain - recovery.FollowedUp)),
        };
    }

    /// <summary>The <paramref name="p"/> quantile of sorted values, interpolating linearly between ranks (h = (n − 1)·p); null when empty.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
            return null;
        var h = (sorted.Count - 1) * p;
        var below = (int)Math.Floor(h);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>
    /// <paramref name="count"/> of <paramref name="of"/> with the 95 % interval of the NPS margin's
    /// method (normal approximation: rate ± 1.96·√(rate·(1 − rate)/n)), clipped to 0…1, rounded to 0.0001.
    /// </summary>
    public static Share ShareOf(long count, long of)
    {
        if (of == 0)
            return new Share(count, of, null, null, null, true);
        var rate = (double)count / of;
        var margin = NpsMath.Z95 * Math.Sqrt(rate * (1 - rate) / of);
        return new Share(count, of, Round4(rate), Round4(Math.Max(0, rate - margin)), Round4(Math.Min(1, rate + margin)), of < LowSampleThreshold);
    }

    static double? Round1(double? value) => value is { } v ? (double)Math.Round((decimal)v, 1, MidpointRounding.AwayFromZero) : null;

    static double Round4(double value) => (double)Math.Round((decimal)value, 4, MidpointRounding.AwayFromZero);
}
