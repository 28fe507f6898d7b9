using System.Data.Common;
using System.Text.Json;
using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>
/// Keeps <c>reason_daily</c> and <c>reason_hourly</c> (migration 0210, decision S2) in step with the reasons of
/// answers, inside the writer's transaction: per survey, UTC day (hour), category and reason id, the answers
/// that chose the reason, and under reason id '' the answers of the category that chose any (the respondents
/// of <c>GET /v1/metrics/reasons</c>). An answer counts at its <c>created_at</c>, as in the NPS aggregates.
/// An update moves the counts from the reasons and category it had to those it has; an erasure takes them
/// away; rows left at zero are deleted. One upsert per table for an answer with reasons, none without.
/// </summary>
public sealed class ReasonAggregateHook : IResponseHook
{
    /// <summary>Adds <c>@Rows</c> (a JSON array of <c>{"c": category, "r": reason id, "n": delta}</c>, no key twice) to <paramref name="table"/>.</summary>
    static string AddTo(string table, string unit, string at) => $"""
        INSERT INTO {table} AS a (survey_id, {unit}, category, reason_id, answers)
        SELECT @SurveyId, {at}, json_extract(j.value, '$.c'), json_extract(j.value, '$.r'), CAST(json_extract(j.value, '$.n') AS BIGINT)
        FROM json_each(@Rows) j
        WHERE true
        ON CONFLICT (survey_id, {unit}, category, reason_id) DO UPDATE SET answers = a.answers + excluded.answers
        """;

    static readonly string AddDaily = AddTo("reason_daily", "day", "@Day");
    static readonly string AddHourly = AddTo("reason_hourly", "hour", "@Hour");

    const string Prune = """
        DELETE FROM reason_daily WHERE survey_id = @SurveyId AND day = @Day AND answers = 0;
        DELETE FROM reason_hourly WHERE survey_id = @SurveyId AND hour = @Hour AND answers = 0;
        """;

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        var deltas = new Dictionary<(string Category, string Reason), long>();
        if (!response.Created)
            Count(deltas, response.PreviousCategory ?? response.Category, response.PreviousReasons, -1);
        Count(deltas, response.Category, response.Reasons, 1);
        Apply(c, tx, response.Display.SurveyId, response.CreatedAt, deltas);
    }

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        // An erased response's reasons are still stored (its rows go after the hooks).
        var deltas = new Dictionary<(string Category, string Reason), long>();
        Count(deltas, response.Category, ReasonStore.Read(c, tx, response.ResponseId), -1);
        Apply(c, tx, response.Display.SurveyId, response.CreatedAt, deltas);
    }

    static void Count(Dictionary<(string Category, string Reason), long> deltas, string category, ChosenReasons reasons, long delta)
    {
        if (reasons.Ids.Count == 0)
            return;
        foreach (var reason in reasons.Ids.Prepend(""))
            deltas[(category, reason)] = deltas.GetValueOrDefault((category, reason)) + delta;
    }

    static void Apply(DbConnection c, DbTransaction tx, string surveyId, long at, Dictionary<(string Category, string Reason), long> deltas)
    {
        var rows = deltas.Where(kv => kv.Value != 0).Select(kv => new { c = kv.Key.Category, r = kv.Key.Reason, n = kv.Value }).ToList();
        if (rows.Count == 0)
            return;
        var (day, hour) = (TimeBuckets.FloorDiv(at, TimeBuckets.DayMs), TimeBuckets.FloorDiv(at, TimeBuckets.HourMs));
        var json = JsonSerializer.Serialize(rows);
        c.Prepared(tx, AddDaily).Bind("@SurveyId", surveyId).Bind("@Day", day).Bind("@Rows", json).ExecuteNonQuery();
        c.Prepared(tx, AddHourly).Bind("@SurveyId", surveyId).Bind("@Hour", hour).Bind("@Rows", json).ExecuteNonQuery();
        if (rows.Any(r => r.n < 0))
            c.Execute(Prune, new { SurveyId = surveyId, Day = day, Hour = hour }, tx);
    }
}

/// <summary>The rebuild of the reason aggregates from <c>responses</c> and <c>response_reasons</c> (the backfill of migration 0210).</summary>
public static class ReasonAggregates
{
    const string Backfill = """
        DELETE FROM reason_daily;
        DELETE FROM reason_hourly;

        CREATE TEMP TABLE reason_contrib AS
            SELECT r.survey_id, r.created_at AS at, r.category, rr.reason_id
            FROM responses r JOIN response_reasons rr ON rr.response_id = r.id
            UNION ALL
            SELECT r.survey_id, r.created_at, r.category, ''
            FROM responses r WHERE EXISTS (SELECT 1 FROM response_reasons rr WHERE rr.response_id = r.id);

        INSERT INTO reason_daily (survey_id, day, category, reason_id, answers)
        SELECT survey_id, at / 86400000, category, reason_id, count(*) FROM reason_contrib GROUP BY survey_id, at / 86400000, category, reason_id;

        INSERT INTO reason_hourly (survey_id, hour, category, reason_id, answers)
        SELECT survey_id, at / 3600000, category, reason_id, count(*) FROM reason_contrib GROUP BY survey_id, at / 3600000, category, reason_id;

        DROP TABLE reason_contrib;
        """;

    /// <summary>Recomputes both tables from the raw rows, in the caller's write transaction.</summary>
    public static void Rebuild(DbConnection c, DbTransaction tx) => c.Execute(Backfill, transaction: tx);
}
