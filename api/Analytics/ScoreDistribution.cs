using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>How many responses gave each score 0–10: the distribution chart of the dashboard.</summary>
/// <param name="Responses">All responses in the range and filters.</param>
/// <param name="Counts">Eleven counts, index = score.</param>
public sealed record ScoreDistributionResponse(long Responses, IReadOnlyList<long> Counts);

/// <summary>
/// Counts of responses per score over the responses of a range, joined to their display's trait
/// snapshot. The filters mean exactly what they mean for <c>GET /v1/metrics/nps</c>: the same
/// parameter parsing (<see cref="QueryArgs"/>) and the same trait matching (<see cref="TraitSql"/>).
/// Without a filter, with one, or with two keys listed for pairs (<see cref="PairAggregates"/>) the counts
/// come from the score counters of the aggregates (<see cref="ScoreCounters"/>, decision S1): whole days
/// from the day rows, whole hours at the edges from the hour rows, parts of hours from raw rows, or as
/// the hour's row less the raw rows of the rest of the hour (<see cref="TimeBuckets.Cover"/>), all in one
/// statement. Other filters count raw rows (<see cref="CountRaw"/>).
/// </summary>
public sealed class ScoreDistributionStore(Db db)
{
    static readonly string SelectCounts = $"""
        SELECT r.score AS Score, count(*) AS Count
        FROM responses r JOIN displays d ON d.id = r.display_id
        WHERE r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To AND {TraitSql.MatchesFilters}
        GROUP BY r.score
        """;

    public ScoreDistributionResponse Count(IReadOnlyList<string> surveyIds, long from, long to, IReadOnlyDictionary<string, string> where)
    {
        using var c = db.OpenForScans();
        var source = SourceOf(c, where);
        var counts = source is null ? CountRaw(c, surveyIds, from, to, where) : CountAggregates(c, source, surveyIds, from, to, where);
        return new ScoreDistributionResponse(counts.Sum(), counts);
    }

    /// <summary>The raw computation: responses of the range joined to their displays (the fallback, and what tests compare with).</summary>
    internal static long[] CountRaw(DbConnection c, IReadOnlyList<string> surveyIds, long from, long to, IReadOnlyDictionary<string, string> where)
    {
        var counts = new long[ScoreCounters.Count];
        foreach (var (score, count) in c.Query<(long Score, long Count)>(c.Sql(SelectCounts),
            new { SurveyIds = surveyIds, From = from, To = to, Filters = JsonSerializer.Serialize(where) }))
            counts[score] = count;
        return counts;
    }

    /// <summary>The aggregate rows matching the filters: day table, hour table and their condition; null when none can answer.</summary>
    sealed record Source(string DayTable, string HourTable, string Filter, DynamicParameters Parameters);

    static Source? SourceOf(DbConnection c, IReadOnlyDictionary<string, string> where)
    {
        var filters = where.ToList();
        if (filters.Count == 0)
            return new("nps_daily", "nps_hourly", "survey_id IN @SurveyIds AND trait_key = '' AND trait_value = ''", new DynamicParameters());
        if (filters.Count == 1)
            return new("nps_daily", "nps_hourly", "survey_id IN @SurveyIds AND trait_key = @KeyA AND trait_value = @ValueA",
                new DynamicParameters(new { KeyA = filters[0].Key, ValueA = filters[0].Value }));
        if (filters.Count == 2 && PairAggregates.Stored(c) is var listed && filters.All(f => listed.Contains(f.Key)))
        {
            var (a, b) = PairAggregates.Before(filters[0].Key, filters[1].Key) ? (filters[0], filters[1]) : (filters[1], filters[0]);
            return new("nps_pair_daily", "nps_pair_hourly",
                "survey_id IN @SurveyIds AND key_a = @KeyA AND key_b = @KeyB AND value_a = @ValueA AND value_b = @ValueB",
                new DynamicParameters(new { KeyA = a.Key, KeyB = b.Key, ValueA = a.Value, ValueB = b.Value }));
        }
        return null;
    }

    /// <summary>The counts of <c>[from, to)</c> from the aggregates, in one statement (one snapshot).</summary>
    static long[] CountAggregates(DbConnection c, Source source, IReadOnlyList<string> surveyIds, long from, long to, IReadOnlyDictionary<string, string> where)
    {
        var parameters = new DynamicParameters(source.Parameters);
        parameters.AddDynamicParams(new { SurveyIds = surveyIds, Filters = JsonSerializer.Serialize(where) });
        var parts = new List<string>();
        var n = 0;
        string Bind(long value)
        {
            var name = "P" + (n++).ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            return "@" + name;
        }
        foreach (var read in TimeBuckets.Cover(from, to).Reads())
            parts.Add(read.Unit switch
            {
                CoverUnit.Day => $"SELECT {ScoreCounters.Columns} FROM {source.DayTable} WHERE {source.Filter} AND day >= {Bind(read.Span.From)} AND day < {Bind(read.Span.To)}",
                CoverUnit.Hour => $"SELECT {ScoreCounters.Columns} FROM {source.HourTable} WHERE {source.Filter} AND hour >= {Bind(read.Span.From)} AND hour < {Bind(read.Span.To)}",
                _ => Raw(read.Subtract ? "-" : "", Bind(read.Span.From), Bind(read.Span.To)),
            });
        var counts = new long[ScoreCounters.Count];
        if (parts.Count == 0)
            return counts;
        var sql = new StringBuilder("SELECT ").Append(ScoreCounters.Sums).Append(" FROM (\n")
            .AppendJoin("\nUNION ALL\n", parts).Append("\n) AS score_parts").ToString();
        using var reader = c.ExecuteReader(c.Sql(sql), parameters);
        if (reader.Read())
            for (var i = 0; i < counts.Length; i++)
                counts[i] = reader.IsDBNull(i) ? 0 : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        return counts;
    }

    /// <summary>Raw responses of <c>[from, to)</c> matching the filters, counted per score (negated with <paramref name="sign"/> "-").</summary>
    static string Raw(string sign, string from, string to) => $"""
        SELECT {ScoreCounters.CountsOfResponses(sign)}
        FROM responses r JOIN displays d ON d.id = r.display_id
        WHERE r.survey_id IN @SurveyIds AND r.created_at >= {from} AND r.created_at < {to} AND {TraitSql.MatchesFilters}
        """;
}

/// <summary>
/// The per-score counters of the NPS aggregate tables (migration 0210, decision S1): <c>s0…s10</c>, the answers
/// of each score, next to the category counters in every row of <c>nps_daily</c>, <c>nps_hourly</c>,
/// <c>nps_pair_daily</c> and <c>nps_pair_hourly</c>. SQL fragments, so the hook, the rebuild and the reads agree.
/// </summary>
public static class ScoreCounters
{
    /// <summary>Scores 0 to 10: eleven counters.</summary>
    public const int Count = 11;

    /// <summary>The columns, in score order.</summary>
    public const string Columns = "s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10";

    /// <summary>The hook's parameters, in score order.</summary>
    public const string Values = "@S0, @S1, @S2, @S3, @S4, @S5, @S6, @S7, @S8, @S9, @S10";

    /// <summary>The parameter names, index = score.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["@S0", "@S1", "@S2", "@S3", "@S4", "@S5", "@S6", "@S7", "@S8", "@S9", "@S10"];

    /// <summary>The columns of the contribution row <c>c</c>.</summary>
    public const string OfC = "c.s0, c.s1, c.s2, c.s3, c.s4, c.s5, c.s6, c.s7, c.s8, c.s9, c.s10";

    /// <summary>An upsert's <c>DO UPDATE SET</c> items (target alias <c>a</c>).</summary>
    public const string Set = "s0 = a.s0 + excluded.s0, s1 = a.s1 + excluded.s1, s2 = a.s2 + excluded.s2, s3 = a.s3 + excluded.s3, s4 = a.s4 + excluded.s4, s5 = a.s5 + excluded.s5, s6 = a.s6 + excluded.s6, s7 = a.s7 + excluded.s7, s8 = a.s8 + excluded.s8, s9 = a.s9 + excluded.s9, s10 = a.s10 + excluded.s10";

    /// <summary>The columns summed.</summary>
    public const string Sums = "sum(s0), sum(s1), sum(s2), sum(s3), sum(s4), sum(s5), sum(s6), sum(s7), sum(s8), sum(s9), sum(s10)";

    /// <summary>The columns of contribution rows <c>c</c> summed.</summary>
    public const string SumsOfC = "sum(c.s0), sum(c.s1), sum(c.s2), sum(c.s3), sum(c.s4), sum(c.s5), sum(c.s6), sum(c.s7), sum(c.s8), sum(c.s9), sum(c.s10)";

    /// <summary>A display's contribution: no answer.</summary>
    public const string None = "0 AS s0, 0 AS s1, 0 AS s2, 0 AS s3, 0 AS s4, 0 AS s5, 0 AS s6, 0 AS s7, 0 AS s8, 0 AS s9, 0 AS s10";

    /// <summary>Response <c>r</c>'s contribution: one in the column of its score.</summary>
    public const string OfResponse = "CASE WHEN r.score = 0 THEN 1 ELSE 0 END, CASE WHEN r.score = 1 THEN 1 ELSE 0 END, CASE WHEN r.score = 2 THEN 1 ELSE 0 END, CASE WHEN r.score = 3 THEN 1 ELSE 0 END, CASE WHEN r.score = 4 THEN 1 ELSE 0 END, CASE WHEN r.score = 5 THEN 1 ELSE 0 END, CASE WHEN r.score = 6 THEN 1 ELSE 0 END, CASE WHEN r.score = 7 THEN 1 ELSE 0 END, CASE WHEN r.score = 8 THEN 1 ELSE 0 END, CASE WHEN r.score = 9 THEN 1 ELSE 0 END, CASE WHEN r.score = 10 THEN 1 ELSE 0 END";

    /// <summary>Responses <c>r</c> counted per score, one column <c>s0…s10</c> each (a grouped SELECT's items), negated with <paramref name="sign"/> "-".</summary>
    public static string CountsOfResponses(string sign) =>
        string.Join(", ", Enumerable.Range(0, Count).Select(i => $"{sign}count(CASE WHEN r.score = {i} THEN 1 END) AS s{i}"));
}
