using System.Data.Common;
using System.Text.Json;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>What <c>GET /v1/metrics/reasons</c> counts: surveys, a range, a category (null: all), trait filters, a group key.</summary>
public sealed record ReasonsQuery(
    IReadOnlyList<string> SurveyIds,
    long From,
    long To,
    string? Category,
    IReadOnlyDictionary<string, string> Where,
    string? GroupBy);

/// <summary>
/// <c>GET /v1/metrics/reasons</c>: the reasons chosen in a range, most chosen first, against the
/// previous period of equal length. <c>respondents</c> counts the answers (of the category, when
/// given) that chose at least one reason; a reason's <c>share</c> is its count over them, in percent.
/// </summary>
public sealed record ReasonsReport(
    string? Category,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset PreviousFrom,
    long Respondents,
    long PreviousRespondents,
    IReadOnlyList<ReasonCount> Reasons,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<ReasonGroup>? Groups = null);

/// <summary>
/// One reason: its id, its label (the survey's default label; "Other" for <c>other</c>; null when no
/// survey lists it any more), counts and shares (percent, one decimal) now and before, and
/// <c>change</c>, the share's change in percentage points (null when the previous period had no respondents).
/// </summary>
public sealed record ReasonCount(
    string Id,
    string? Label,
    long Count,
    double Share,
    long PreviousCount,
    double? PreviousShare,
    double? Change);

/// <summary>The reasons of the answers whose snapshot has <c>value</c> for the <c>groupBy</c> trait.</summary>
public sealed record ReasonGroup(string Value, long Respondents, long PreviousRespondents, IReadOnlyList<ReasonCount> Reasons);

/// <summary>
/// Counts reasons of a period. Without filters and groups (the dashboard's default) from the reason
/// aggregates (<see cref="ReasonAggregateHook"/>, decision S2): whole days from <c>reason_daily</c>, whole
/// hours at the edges from <c>reason_hourly</c>, parts of hours from raw rows or as the hour's row less the
/// raw rows of the rest of the hour (<see cref="TimeBuckets.Cover"/>), in one statement per period. With
/// trait filters or groups from the range's answers: <c>responses</c> by survey and time (index
/// <c>responses_survey_time</c>) joined to their display's snapshot and to <c>response_reasons</c>
/// by primary key — the filters and groups are any trait, which a per-day aggregate of (reason × trait
/// value) would multiply (decision S3).
/// </summary>
public sealed class ReasonsStore(Db db)
{
    const string Scope = """
        r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To
          AND (@Category IS NULL OR r.category = @Category)
        """;

    static readonly string SelectCounts = $"""
        SELECT {TraitSql.GroupValue} AS Segment, rr.reason_id AS Id, count(*) AS Count
        FROM responses r JOIN displays d ON d.id = r.display_id JOIN response_reasons rr ON rr.response_id = r.id
        WHERE {Scope} AND {TraitSql.MatchesFilters}
        GROUP BY Segment, rr.reason_id
        """;

    static readonly string SelectRespondents = $"""
        SELECT {TraitSql.GroupValue} AS Segment, count(*) AS Count
        FROM responses r JOIN displays d ON d.id = r.display_id
        WHERE {Scope} AND {TraitSql.MatchesFilters} AND EXISTS (SELECT 1 FROM response_reasons rr WHERE rr.response_id = r.id)
        GROUP BY Segment
        """;

    // Classes, not positional records: on an empty result SQLite reports no column types, and Dapper
    // then looks for a constructor of byte[] parameters.
    sealed class CountRow
    {
        public string? Segment { get; set; }
        public string Id { get; set; } = "";
        public long Count { get; set; }
    }

    sealed class RespondentRow
    {
        public string? Segment { get; set; }
        public long Count { get; set; }
    }

    sealed record Period(Dictionary<string, long> Respondents, Dictionary<(string Segment, string Id), long> Counts);

    public ReasonsReport Read(ReasonsQuery q, IReadOnlyDictionary<string, string> labels) => Read(q, labels, aggregates: true);

    /// <summary>The report; without <paramref name="aggregates"/> always from raw rows (what tests compare the aggregates with).</summary>
    internal ReasonsReport Read(ReasonsQuery q, IReadOnlyDictionary<string, string> labels, bool aggregates)
    {
        var length = q.To - q.From;
        using var c = db.OpenForScans();
        var now = Count(c, q, q.From, q.To, aggregates);
        var before = Count(c, q, q.From - length, q.From, aggregates);
        var all = Reasons(null, now, before, labels);
        IReadOnlyList<ReasonGroup>? groups = null;
        if (q.GroupBy is not null)
            groups = now.Respondents.Keys.Union(before.Respondents.Keys)
                .Order(StringComparer.Ordinal)
                .Select(v => new ReasonGroup(v, now.Respondents.GetValueOrDefault(v), before.Respondents.GetValueOrDefault(v), Reasons(v, now, before, labels)))
                .ToList();
        return new ReasonsReport(q.Category, Db.FromUnixMs(q.From), Db.FromUnixMs(q.To), Db.FromUnixMs(q.From - length),
            Total(now), Total(before), all, groups);
    }

    static long Total(Period p) => p.Respondents.Values.Sum();

    /// <summary>The reasons of one segment, or of all together (<paramref name="segment"/> null).</summary>
    static List<ReasonCount> Reasons(string? segment, Period now, Period before, IReadOnlyDictionary<string, string> labels)
    {
        bool In((string Segment, string Id) key) => segment is null || key.Segment == segment;
        long Of(Period p, string id) => p.Counts.Where(kv => kv.Key.Id == id && In(kv.Key)).Sum(kv => kv.Value);
        long RespondentsOf(Period p) => segment is null ? Total(p) : p.Respondents.GetValueOrDefault(segment);
        var respondents = RespondentsOf(now);
        var previous = RespondentsOf(before);
        var ids = now.Counts.Keys.Concat(before.Counts.Keys).Where(In).Select(k => k.Id).Distinct();
        return ids.Select(id =>
            {
                var count = Of(now, id);
                var previousCount = Of(before, id);
                var share = Percent(count, respondents);
                double? previousShare = previous == 0 ? null : Percent(previousCount, previous);
                return new ReasonCount(id, id == ReasonsValidation.OtherId ? "Other" : labels.GetValueOrDefault(id), count, share,
                    previousCount, previousShare, previous == 0 ? null : Math.Round(Raw(count, respondents) - Raw(previousCount, previous), 1, MidpointRounding.AwayFromZero) + 0.0);
            })
            .OrderByDescending(r => r.Count).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }

    static double Raw(long part, long whole) => whole == 0 ? 0 : 100.0 * part / whole;

    static double Percent(long part, long whole) => Math.Round(Raw(part, whole), 1, MidpointRounding.AwayFromZero) + 0.0;

    static Period Count(DbConnection c, ReasonsQuery q, long from, long to, bool aggregates) =>
        aggregates && q.Where.Count == 0 && q.GroupBy is null ? CountAggregates(c, q, from, to) : CountRaw(c, q, from, to);

    /// <summary>The raw computation over answers joined to their displays (filters and groups, and what tests compare with).</summary>
    static Period CountRaw(DbConnection c, ReasonsQuery q, long from, long to)
    {
        var parameters = new
        {
            q.SurveyIds,
            From = from,
            To = to,
            q.Category,
            Filters = JsonSerializer.Serialize(q.Where),
            GroupPath = q.GroupBy is null ? null : TraitSql.PathOf(q.GroupBy),
        };
        // A grouped answer without a value for the trait belongs to no group (as in NPS by segment).
        var respondents = c.Query<RespondentRow>(c.Sql(SelectRespondents), parameters).Where(r => r.Segment is not null)
            .ToDictionary(r => r.Segment!, r => r.Count, StringComparer.Ordinal);
        var counts = c.Query<CountRow>(c.Sql(SelectCounts), parameters).Where(r => r.Segment is not null)
            .ToDictionary(r => (r.Segment!, r.Id), r => r.Count);
        return new Period(respondents, counts);
    }

    /// <summary>A period without filters or groups from the aggregates, in one statement (one snapshot); the respondents under reason id ''.</summary>
    static Period CountAggregates(DbConnection c, ReasonsQuery q, long from, long to)
    {
        var parameters = new DynamicParameters(new { q.SurveyIds, q.Category });
        var n = 0;
        string Bind(long value)
        {
            var name = "P" + (n++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            return "@" + name;
        }
        const string Rows = "survey_id IN @SurveyIds AND (@Category IS NULL OR category = @Category)";
        var parts = new List<string>();
        foreach (var read in TimeBuckets.Cover(from, to).Reads())
            parts.Add(read.Unit switch
            {
                CoverUnit.Day => $"SELECT reason_id, answers FROM reason_daily WHERE {Rows} AND day >= {Bind(read.Span.From)} AND day < {Bind(read.Span.To)}",
                CoverUnit.Hour => $"SELECT reason_id, answers FROM reason_hourly WHERE {Rows} AND hour >= {Bind(read.Span.From)} AND hour < {Bind(read.Span.To)}",
                _ => RawRows(read.Subtract ? "-" : "", Bind(read.Span.From), Bind(read.Span.To)),
            });
        var respondents = new Dictionary<string, long>(StringComparer.Ordinal);
        var counts = new Dictionary<(string Segment, string Id), long>();
        if (parts.Count == 0)
            return new Period(respondents, counts);
        var sql = $"SELECT reason_id AS Id, sum(answers) AS Count FROM (\n{string.Join("\nUNION ALL\n", parts)}\n) AS reason_parts GROUP BY reason_id";
        foreach (var row in c.Query<CountRow>(c.Sql(sql), parameters).Where(r => r.Count != 0))
        {
            if (row.Id == "")
                respondents[""] = row.Count;
            else
                counts[("", row.Id)] = row.Count;
        }
        return new Period(respondents, counts);
    }

    /// <summary>Raw answers of <c>[from, to)</c> per reason and, under '', those that chose any (negated with <paramref name="sign"/> "-").</summary>
    static string RawRows(string sign, string from, string to) => $"""
        SELECT rr.reason_id, {sign}count(*) FROM responses r JOIN response_reasons rr ON rr.response_id = r.id
        WHERE r.survey_id IN @SurveyIds AND r.created_at >= {from} AND r.created_at < {to} AND (@Category IS NULL OR r.category = @Category)
        GROUP BY rr.reason_id
        UNION ALL
        SELECT '', {sign}count(*) FROM responses r
        WHERE r.survey_id IN @SurveyIds AND r.created_at >= {from} AND r.created_at < {to} AND (@Category IS NULL OR r.category = @Category)
          AND EXISTS (SELECT 1 FROM response_reasons rr WHERE rr.response_id = r.id)
        """;

    /// <summary>The default label of every reason id the surveys list (a survey's own lists first, then its variants').</summary>
    public static IReadOnlyDictionary<string, string> Labels(IEnumerable<Survey> surveys)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in surveys)
            foreach (var reasons in s.Variants.Select(v => v.Reasons).Prepend(s.Reasons).OfType<SurveyReasons>())
                foreach (var r in reasons.Options.Concat(reasons.ByCategory.Values.SelectMany(l => l)))
                    labels.TryAdd(r.Id, r.Label);
        return labels;
    }
}
