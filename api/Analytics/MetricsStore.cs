using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>A checked <c>GET /v1/metrics/nps</c> request.</summary>
public sealed record MetricsQuery(
    IReadOnlyList<string> SurveyIds,
    long From,
    long To,
    Interval? Interval,
    TimeZoneInfo Zone,
    string? GroupBy,
    IReadOnlyDictionary<string, string> Where,
    IReadOnlyList<double>? Bands = null,
    string? Tag = null);

/// <summary>
/// Reads NPS from the aggregates. A request names at most one trait row set for its headline
/// (all rows, or one <c>where</c> value) and one for its groups (one <c>groupBy</c> key), so both
/// come from <c>nps_daily</c>, with the edges of buckets that do not start at UTC midnight
/// corrected from the whole hours of <c>nps_hourly</c> (<c>nps_pair_hourly</c> for pairs) and raw
/// rows for the rest of an hour (<see cref="ReadPlan"/>). A filter on one key with
/// groups by another, or two filters, read <c>nps_pair_daily</c> when every key is listed for pairs
/// (<see cref="PairAggregates"/>). Requests no aggregate can answer — three keys, or keys not
/// listed — count raw rows over the range instead (see docs/decisions.md).
/// </summary>
public sealed class MetricsStore(Db db, SurveyKinds kinds)
{
    const string Counters = "displays AS Displays, promoters AS Promoters, passives AS Passives, detractors AS Detractors, score_sum AS ScoreSum, score_squares AS ScoreSquares";

    const string Sums = """
        sum(displays) AS Displays, sum(promoters) AS Promoters, sum(passives) AS Passives, sum(detractors) AS Detractors,
        sum(score_sum) AS ScoreSum, sum(score_squares) AS ScoreSquares
        """;

    /// <summary>
    /// Where the day rows of one segment read come from: a day table and the <c>WHERE</c> condition over it
    /// (with <c>@SurveyIds</c>, <c>@From</c>, <c>@To</c> and its own parameters), the hour table with the same
    /// columns (decision Q1), and the SQL expression of the row's segment value. <see cref="Many"/> when it
    /// may return many values per day (summed in SQLite).
    /// </summary>
    sealed record DayRows(string Table, string HourTable, string Filter, string Value, bool Many, DynamicParameters Parameters)
    {
        public string Source => $"{Table} WHERE {Filter}";
    }

    static DayRows TraitRows(string key, string? value)
    {
        var parameters = new DynamicParameters(new { Key = key, Value = value });
        return value is null
            ? new("nps_daily", "nps_hourly", "survey_id IN @SurveyIds AND trait_key = @Key", "trait_value", true, parameters)
            : new("nps_daily", "nps_hourly", "survey_id IN @SurveyIds AND trait_key = @Key AND trait_value = @Value", "trait_value", false, parameters);
    }

    /// <summary>
    /// Rows of <c>nps_pair_daily</c> for the filters <paramref name="where"/> (one or two keys) and the
    /// value of <paramref name="groupKey"/> ('' without one): one of the pair's keys is filtered, the
    /// other filtered too or grouped by.
    /// </summary>
    static DayRows PairRows(IReadOnlyDictionary<string, string> where, string? groupKey)
    {
        var keys = where.Keys.Append(groupKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var (a, b) = PairAggregates.Before(keys[0], keys[1]) ? (keys[0], keys[1]) : (keys[1], keys[0]);
        var parameters = new DynamicParameters(new { KeyA = a, KeyB = b });
        var source = new System.Text.StringBuilder("survey_id IN @SurveyIds AND key_a = @KeyA AND key_b = @KeyB");
        if (where.TryGetValue(a, out var valueA))
        {
            source.Append(" AND value_a = @ValueA");
            parameters.Add("ValueA", valueA);
        }
        if (where.TryGetValue(b, out var valueB))
        {
            source.Append(" AND value_b = @ValueB");
            parameters.Add("ValueB", valueB);
        }
        var value = groupKey is null ? "''" : groupKey == a ? "value_a" : "value_b";
        return new("nps_pair_daily", "nps_pair_hourly", source.ToString(), value, groupKey is not null && !where.ContainsKey(groupKey), parameters);
    }

    /// <summary>The SQL of a pair read (for <c>QueryPlanTests</c>).</summary>
    internal static string PairSql(IReadOnlyDictionary<string, string> where, string? groupKey, int buckets) =>
        DayRowsSql(PairRows(where, groupKey), buckets);

    /// <summary>True when <see cref="PairRows"/> can answer: one or two filters, the groups by one of them or one more key, every key listed.</summary>
    static bool PairsAnswer(IReadOnlyDictionary<string, string> where, string? groupKey, IReadOnlySet<string> listed)
    {
        var keys = where.Keys.Append(groupKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return where.Count is 1 or 2 && keys.Count == 2 && keys.All(listed.Contains);
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Source, string Value, int Buckets), string> DaySql = new();

    /// <summary>
    /// The day rows of a source for a range of days: each row as it is (one value per day), summed per
    /// value (one bucket), or — for a series by a key with many values (accounts: values × days rows)
    /// — summed per bucket in SQLite, so a few thousand rows reach .NET instead of hundreds of
    /// thousands: each row's bucket is found by comparing its day with the buckets' first days
    /// (<c>@B0…</c>), and the row reports that first day.
    /// </summary>
    static string DayRowsSql(DayRows rows, int buckets) =>
        DaySql.GetOrAdd((rows.Source, rows.Value, rows.Many && buckets <= MaxBucketsSummedInSql ? buckets : 0), k =>
    {
        var (source, value, n) = k;
        if (n == 0)
            return $"SELECT {value} AS Value, day AS Unit, {Counters} FROM {source} AND day >= @From AND day < @To";
        if (n == 1)
            return $"SELECT {value} AS Value, @From AS Unit, {Sums} FROM {source} AND day >= @From AND day < @To GROUP BY 1";
        var bucket = new System.Text.StringBuilder("CASE");
        for (var i = 1; i < n; i++)
            bucket.Append(System.Globalization.CultureInfo.InvariantCulture, $" WHEN day < @B{i} THEN @B{i - 1}");
        bucket.Append(System.Globalization.CultureInfo.InvariantCulture, $" ELSE @B{n - 1} END");
        return $"SELECT {value} AS Value, {bucket} AS Unit, {Sums} FROM {source} AND day >= @From AND day < @To GROUP BY 1, 2";
    });

    /// <summary>Up to this many buckets a series by a trait is summed per bucket in SQLite.</summary>
    const int MaxBucketsSummedInSql = 64;

    /// <summary>The aggregates' column of <c>r.category</c>, as <see cref="NpsAggregateHook"/> counts it: 1 positive, 2 middle, 3 negative.</summary>
    const string CategoryColumn = "CASE WHEN r.category IN ('promoter', 'satisfied', 'easy') THEN 1 WHEN r.category IN ('passive', 'neutral') THEN 2 ELSE 3 END";

    /// <summary>Raw rows of <c>[@From, @To)</c> counted per segment value and unit of <c>@Grain</c> ms.</summary>
    static readonly string RawRows = $"""
        SELECT value AS Value, unit AS Unit, count(CASE WHEN kind = 0 THEN 1 END) AS Displays, count(CASE WHEN kind = 1 THEN 1 END) AS Promoters,
               count(CASE WHEN kind = 2 THEN 1 END) AS Passives, count(CASE WHEN kind = 3 THEN 1 END) AS Detractors, sum(score) AS ScoreSum, sum(score * score) AS ScoreSquares
        FROM (
            SELECT {TraitSql.GroupValue} AS value, d.shown_at / @Grain AS unit, 0 AS kind, 0 AS score
            FROM displays d
            WHERE d.survey_id IN @SurveyIds AND d.shown_at >= @From AND d.shown_at < @To AND {TraitSql.MatchesFilters}
            UNION ALL
            SELECT {TraitSql.GroupValue}, r.created_at / @Grain, {CategoryColumn}, r.score
            FROM responses r JOIN displays d ON d.id = r.display_id
            WHERE r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To AND {TraitSql.MatchesFilters}
        ) AS segment_rows
        WHERE value IS NOT NULL
        GROUP BY value, unit
        """;

    /// <summary>
    /// Answers counted per segment value and unit of <c>@Grain</c> ms, for requests about tags:
    /// only responses carrying <c>@Tag</c> (when given), grouped by a trait (<c>@GroupPath</c>) or by
    /// each of their tags. Tags are on answers, not displays, so displays count nothing here.
    /// </summary>
    static string TaggedRows(bool byTag) => $"""
        SELECT value AS Value, unit AS Unit, 0 AS Displays, count(CASE WHEN kind = 1 THEN 1 END) AS Promoters,
               count(CASE WHEN kind = 2 THEN 1 END) AS Passives, count(CASE WHEN kind = 3 THEN 1 END) AS Detractors, sum(score) AS ScoreSum, sum(score * score) AS ScoreSquares
        FROM (
            SELECT {(byTag ? "g.tag" : TraitSql.GroupValue)} AS value, r.created_at / @Grain AS unit, {CategoryColumn} AS kind, r.score AS score
            FROM responses r JOIN displays d ON d.id = r.display_id{(byTag ? " JOIN response_tags g ON g.response_id = r.id" : "")}
            WHERE r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To AND {TraitSql.MatchesFilters}
              AND {TagSql.HasTag}
        ) AS segment_rows
        WHERE value IS NOT NULL
        GROUP BY value, unit
        """;

    static readonly string TaggedByTrait = TaggedRows(byTag: false);
    static readonly string TaggedByTag = TaggedRows(byTag: true);

    /// <param name="accountTotals">False reads groups by <c>accountId</c> from the day rows even where the accounts'
    /// running totals could answer (<see cref="AccountGroups"/>; for the tests that compare the two).</param>
    public NpsReport Read(MetricsQuery q, IReadOnlyList<Bucket> buckets, bool accountTotals = true)
    {
        using var c = db.OpenForScans();
        var grain = TimeBuckets.Grain(buckets);
        Segments headline;
        Segments? groups = null;
        var where = q.Where.ToList();
        // Tags are on answers: a tag filter or groups by tag come from responses ⨝ response_tags.
        var tagged = q.Tag is not null || q.GroupBy == TagSql.GroupBy;
        var groupBy = tagged ? null : q.GroupBy;
        var aggregates = where.Count == 0 || (where.Count == 1 && (groupBy is null || groupBy == where[0].Key));
        if (aggregates)
        {
            var plan = TimeBuckets.Plan(buckets);
            var (key, value) = where.Count == 1 ? (where[0].Key, (string?)where[0].Value) : ("", "");
            headline = FromAggregates(c, q, buckets, plan, grain, key, value);
            if (groupBy is not null)
                groups = groupBy == key ? headline
                    : (accountTotals ? AccountGroups(c, q, buckets, plan, grain, groupBy) : null)
                      ?? FromAggregates(c, q, buckets, plan, grain, groupBy, null);
        }
        else if (PairsAnswer(q.Where, groupBy, PairAggregates.Stored(c)))
        {
            // One filter with groups by another listed key, or two filters: the pair aggregates (P4).
            var plan = TimeBuckets.Plan(buckets);
            headline = where.Count == 1
                ? FromAggregates(c, q, buckets, plan, grain, where[0].Key, where[0].Value)
                : FromDayRows(c, q, buckets, plan, grain, PairRows(q.Where, null), q.Where, null);
            if (groupBy is not null)
                groups = FromDayRows(c, q, buckets, plan, grain, PairRows(q.Where, groupBy), q.Where, groupBy);
        }
        else
        {
            var whole = new Span(q.From, q.To);
            headline = new Segments(buckets.Count);
            ReadRaw(c, q, buckets, whole, grain, q.Where, null, headline);
            if (groupBy is not null)
            {
                groups = new Segments(buckets.Count);
                ReadRaw(c, q, buckets, whole, grain, q.Where, groupBy, groups);
            }
        }
        if (tagged)
        {
            if (q.Tag is not null)
                headline = ReadTagged(c, q, buckets, grain, null);
            if (q.GroupBy is not null)
                groups = ReadTagged(c, q, buckets, grain, q.GroupBy);
        }
        (Segments Groups, Dictionary<string, (double? From, double? To)> Bounds)? bands =
            q.Bands is not null && groups is not null ? Band(groups, q.Bands, buckets.Count) : null;
        return Report(headline, bands?.Groups ?? groups, buckets, q.Interval is not null, bands?.Bounds);
    }

    /// <summary>
    /// Groups by <c>accountId</c> without a series, over NPS or eNPS surveys: the whole days from the accounts' running
    /// totals (decision AC6), two lookups per account instead of a day row per account and day (2,000 accounts × 90 days
    /// at a million answers), and the edges inside days corrected from hour rows and raw minutes as for the day rows.
    /// Null — read the day rows — for any other request.
    /// </summary>
    internal Segments? AccountGroups(DbConnection c, MetricsQuery q, IReadOnlyList<Bucket> buckets, ReadPlan plan, long grain, string groupBy)
    {
        if (groupBy != AccountGroupKey || buckets.Count != 1 || q.Where.Count > 0 || q.Tag is not null || q.SurveyIds.Count == 0
            || !q.SurveyIds.All(id => kinds.Of(id).Name is QuestionKinds.NpsName or QuestionKinds.EnpsName))
            return null;
        var groups = FromDayRows(c, q, buckets, plan, grain, TraitRows(groupBy, null), new Dictionary<string, string>(StringComparer.Ordinal), groupBy,
            (from, to) => AccountAggregates.Between(c, q.SurveyIds, from, to));
        // The running totals hold no score sums (NPS and eNPS show none); the corrections' would be half a sum.
        foreach (var perBucket in groups.Values.Values)
            for (var i = 0; i < perBucket.Length; i++)
                perBucket[i] = perBucket[i] with { ScoreSum = 0, ScoreSquares = 0 };
        return groups;
    }

    /// <summary>The trait the accounts aggregates are kept for.</summary>
    internal const string AccountGroupKey = "accountId";

    /// <summary>The groups of a numeric trait merged into bands (<see cref="TraitBands"/>); values that are not numbers stay apart.</summary>
    static (Segments Groups, Dictionary<string, (double? From, double? To)> Bounds) Band(Segments groups, IReadOnlyList<double> edges, int buckets)
    {
        var banded = new Segments(buckets);
        var bounds = new Dictionary<string, (double? From, double? To)>(StringComparer.Ordinal);
        foreach (var (value, perBucket) in groups.Values)
        {
            var key = value;
            if (TraitBands.Of(value, edges) is { } band)
            {
                key = TraitBands.Label(band.From, band.To);
                bounds[key] = band;
            }
            for (var i = 0; i < perBucket.Length; i++)
                banded.Add(key, i, perBucket[i]);
        }
        return (banded, bounds);
    }

    /// <summary>Counts for one trait key (all its values, or one) from <c>nps_daily</c>, edges corrected (<see cref="FromDayRows"/>).</summary>
    Segments FromAggregates(DbConnection c, MetricsQuery q, IReadOnlyList<Bucket> buckets, ReadPlan plan, long grain,
        string key, string? value)
    {
        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (key != "" && value is not null)
            filters[key] = value;
        return FromDayRows(c, q, buckets, plan, grain, TraitRows(key, value), filters, key == "" ? null : key);
    }

    /// <summary>
    /// Counts from day rows in the buckets their rounded days fall in, then the rows between each
    /// bucket edge and its nearest midnight moved to their exact bucket — whole hours of the
    /// source's hour table (<see cref="DayRows.HourTable"/>), the rest from raw rows matching <paramref name="filters"/>
    /// with the value of <paramref name="groupKey"/>.
    /// </summary>
    /// <param name="wholeDays">With one bucket: the counts per value of the days <c>[from, to)</c>, read instead of the day
    /// rows (<see cref="AccountGroups"/>).</param>
    static Segments FromDayRows(DbConnection c, MetricsQuery q, IReadOnlyList<Bucket> buckets, ReadPlan plan, long grain,
        DayRows days, IReadOnlyDictionary<string, string> filters, string? groupKey,
        Func<long, long, IEnumerable<(string Value, NpsCounts Counts)>>? wholeDays = null)
    {
        var result = new Segments(buckets.Count);
        if (plan.DayFrom < plan.DayTo && wholeDays is not null)
        {
            var bucket = plan.BucketOfDay(plan.DayFrom);
            foreach (var (value, counts) in wholeDays(plan.DayFrom, plan.DayTo))
                result.Add(value, bucket, counts);
        }
        else if (plan.DayFrom < plan.DayTo)
        {
            var parameters = new DynamicParameters(days.Parameters);
            parameters.AddDynamicParams(new { q.SurveyIds, From = plan.DayFrom, To = plan.DayTo });
            if (days.Many && buckets.Count > 1 && buckets.Count <= MaxBucketsSummedInSql)
                for (var i = 0; i < plan.DayStarts.Length; i++)
                    parameters.Add("B" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), plan.DayStarts[i]);
            foreach (var row in c.Query<CountRow>(c.Sql(DayRowsSql(days, buckets.Count)), parameters))
                result.Add(row.Value, plan.BucketOfDay(row.Unit), row.Counts);
        }

        var raw = new RawQuery(q.SurveyIds, grain, JsonSerializer.Serialize(filters), groupKey is null ? null : TraitSql.PathOf(groupKey));
        var (from, to) = (buckets[0].From, buckets[^1].To);
        var edges = new EdgeReads();
        foreach (var span in plan.Corrections)
            edges.Add(buckets, span);
        foreach (var (rows, unit) in edges.Read(c, days, raw))
        {
            foreach (var row in rows)
            {
                var at = row.Unit * unit;
                var counted = plan.BucketOfDay(TimeBuckets.FloorDiv(at, TimeBuckets.DayMs));
                var belongs = at >= from && at < to ? TimeBuckets.IndexOf(buckets, at) : -1;
                if (counted == belongs)
                    continue;
                result.Add(row.Value, counted, -row.Counts);
                result.Add(row.Value, belongs, row.Counts);
            }
        }
        return result;
    }

    /// <summary>
    /// The reads of every correction span of a request, gathered first and sent as at most three statements
    /// (decision Q3) instead of two or three per span: a daily series in a zone whose day edges are off the
    /// hour (Kathmandu, 18:15 UTC) has one span per day. Between the bucket edges inside a span: whole hours
    /// from the source's hour table (one row per value and hour, all in one bucket), and the part-hours at the
    /// ends (edges off the hour: <c>now</c>, minutes, zones with :30 and :45 offsets) — raw rows when at most
    /// half the hour, else the hour's row minus the raw rows of the rest of the hour, in one statement (one
    /// snapshot: the default range ends now, and the rest of the current hour is still empty; decision Q2).
    /// </summary>
    sealed class EdgeReads
    {
        readonly List<Span> _hours = [];
        readonly List<Span> _raw = [];
        readonly List<(long Hour, long At, Span Remainder)> _hourParts = [];

        public void Add(IReadOnlyList<Bucket> buckets, Span span)
        {
            const long H = TimeBuckets.HourMs;
            var cuts = buckets.Select(b => b.From).Append(buckets[^1].To).Where(e => e > span.From && e < span.To)
                .Prepend(span.From).Append(span.To).ToList();
            for (var i = 0; i + 1 < cuts.Count; i++)
            {
                var (a, b) = (cuts[i], cuts[i + 1]);
                var h0 = -TimeBuckets.FloorDiv(-a, H);
                var h1 = TimeBuckets.FloorDiv(b, H);
                if (h0 > h1)
                {
                    // Both ends inside one hour.
                    _raw.Add(new Span(a, b));
                    continue;
                }
                if (a < h0 * H)
                    AddPart(new Span(a, h0 * H));
                if (h0 < h1)
                    _hours.Add(new Span(h0, h1));
                if (h1 * H < b)
                    AddPart(new Span(h1 * H, b));
            }
        }

        void AddPart(Span part)
        {
            if (part.To - part.From <= TimeBuckets.HourMs / 2)
            {
                _raw.Add(part);
                return;
            }
            var hour = TimeBuckets.FloorDiv(part.From, TimeBuckets.HourMs);
            var rest = part.From == hour * TimeBuckets.HourMs
                ? new Span(part.To, (hour + 1) * TimeBuckets.HourMs)
                : new Span(hour * TimeBuckets.HourMs, part.From);
            _hourParts.Add((hour, part.From, rest));
        }

        /// <summary>The rows of every gathered read, each with the milliseconds of its rows' <c>Unit</c>.</summary>
        public IEnumerable<(IEnumerable<CountRow> Rows, long Unit)> Read(DbConnection c, DayRows days, RawQuery raw)
        {
            if (_hours.Count > 0)
            {
                var parameters = new DynamicParameters(days.Parameters);
                parameters.AddDynamicParams(new { raw.SurveyIds });
                var n = SpanParameters(parameters, _hours.Select(h => (h.From, h.To)).ToList());
                yield return (c.Query<CountRow>(c.Sql(HourRowsOverSpansSql(days, n)), parameters), TimeBuckets.HourMs);
            }
            if (_raw.Count > 0)
            {
                var parameters = new DynamicParameters(new { raw.SurveyIds, raw.Grain, raw.Filters, raw.GroupPath });
                var n = SpanParameters(parameters, _raw.Select(r => (r.From, r.To)).ToList());
                yield return (c.Query<CountRow>(c.Sql(RawOverSpansSql(n)), parameters), raw.Grain);
            }
            if (_hourParts.Count > 0)
            {
                var parameters = new DynamicParameters(days.Parameters);
                parameters.AddDynamicParams(new { raw.SurveyIds, raw.Filters, raw.GroupPath });
                var n = PartParameters(parameters, _hourParts);
                yield return (c.Query<CountRow>(c.Sql(HourMinusRawSql(days, n)), parameters), 1);
            }
        }
    }

    /// <summary>
    /// Binds spans as <c>@F0, @T0, …</c>, padded with empty spans to a power of two, so a few statement texts
    /// serve every request (the statement caches of both providers stay small). Returns the padded count.
    /// </summary>
    static int SpanParameters(DynamicParameters parameters, IReadOnlyList<(long From, long To)> spans)
    {
        var n = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)spans.Count);
        for (var i = 0; i < n; i++)
        {
            var (f, t) = i < spans.Count ? spans[i] : (0L, 0L);
            var name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add("F" + name, f);
            parameters.Add("T" + name, t);
        }
        return n;
    }

    /// <summary>Binds part-hours as <c>@H0, @A0, @F0, @T0, …</c> (hour, the part's start, the rest of the hour), padded like <see cref="SpanParameters"/>.</summary>
    static int PartParameters(DynamicParameters parameters, IReadOnlyList<(long Hour, long At, Span Remainder)> parts)
    {
        var n = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)parts.Count);
        for (var i = 0; i < n; i++)
        {
            var (hour, at, rest) = i < parts.Count ? parts[i] : (-1L, 0L, new Span(0, 0));
            var name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add("H" + name, hour);
            parameters.Add("A" + name, at);
            parameters.Add("F" + name, rest.From);
            parameters.Add("T" + name, rest.To);
        }
        return n;
    }

    /// <summary><c>WITH spans(span_from, span_to) AS (VALUES (@F0, @T0), …)</c> for <paramref name="n"/> spans.</summary>
    static string SpansCte(int n) =>
        "WITH spans(span_from, span_to) AS (VALUES " + string.Join(", ", Enumerable.Range(0, n).Select(i => $"(@F{i}, @T{i})")) + ")";

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Source, string Value, int N), string> HourSpanSql = new();

    /// <summary>
    /// The hour rows of a source in <paramref name="n"/> spans of hours (<c>@F0, @T0, …</c>). <c>CROSS JOIN</c> keeps
    /// the spans the outer loop in SQLite, so each span is one search of the hour table's key; PostgreSQL plans the
    /// join itself.
    /// </summary>
    static string HourRowsOverSpansSql(DayRows rows, int n) =>
        HourSpanSql.GetOrAdd((rows.HourTable + " WHERE " + rows.Filter, rows.Value, n), k => $"""
            {SpansCte(k.N)}
            SELECT {k.Value} AS Value, hour AS Unit, {Counters} FROM spans CROSS JOIN {k.Source} AND hour >= span_from AND hour < span_to
            """);

    /// <summary>The SQL of an hour read over spans of one trait key, all values or one (for <c>QueryPlanTests</c>).</summary>
    internal static string TraitHourSpansSql(string key, string? value, int n) => HourRowsOverSpansSql(TraitRows(key, value), n);

    /// <summary>
    /// Raw rows counted per segment value and unit: the displays and answers of <c>{spans}</c> (a table with
    /// <c>span_from</c>, <c>span_to</c> and the columns <paramref name="unit"/> may use), joined so each span is
    /// one search of the time index.
    /// </summary>
    static string RawRowsOver(string spans, Func<string, string> unit) => $"""
        SELECT value AS Value, unit AS Unit, count(CASE WHEN kind = 0 THEN 1 END) AS Displays, count(CASE WHEN kind = 1 THEN 1 END) AS Promoters,
               count(CASE WHEN kind = 2 THEN 1 END) AS Passives, count(CASE WHEN kind = 3 THEN 1 END) AS Detractors, sum(score) AS ScoreSum, sum(score * score) AS ScoreSquares
        FROM (
            SELECT {TraitSql.GroupValue} AS value, {unit("d.shown_at")} AS unit, 0 AS kind, 0 AS score
            FROM {spans} CROSS JOIN displays d
            WHERE d.survey_id IN @SurveyIds AND d.shown_at >= span_from AND d.shown_at < span_to AND {TraitSql.MatchesFilters}
            UNION ALL
            SELECT {TraitSql.GroupValue}, {unit("r.created_at")}, {CategoryColumn}, r.score
            FROM {spans} CROSS JOIN responses r JOIN displays d ON d.id = r.display_id
            WHERE r.survey_id IN @SurveyIds AND r.created_at >= span_from AND r.created_at < span_to AND {TraitSql.MatchesFilters}
        ) AS segment_rows
        WHERE value IS NOT NULL
        GROUP BY value, unit
        """;

    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> RawSpanSql = new();

    /// <summary>Raw rows of <paramref name="n"/> spans (<c>@F0, @T0, …</c>) counted per segment value and unit of <c>@Grain</c> ms.</summary>
    static string RawOverSpansSql(int n) =>
        RawSpanSql.GetOrAdd(n, k => SpansCte(k) + "\n" + RawRowsOver("spans", at => at + " / @Grain"));

    /// <summary>The SQL of a raw read over spans (for <c>QueryPlanTests</c>).</summary>
    internal static string RawSpansSql(int n) => RawOverSpansSql(n);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Source, string Value, int N), string> HourPartSql = new();

    /// <summary>
    /// For each of <paramref name="n"/> part-hours (<c>@H0, @A0, @F0, @T0, …</c>): the rows of hour <c>@H</c> less the
    /// raw rows of the rest of that hour <c>[@F, @T)</c>, per value, all at the part's start <c>@A</c> (Unit in ms).
    /// </summary>
    static string HourMinusRawSql(DayRows rows, int n) =>
        HourPartSql.GetOrAdd((rows.HourTable + " WHERE " + rows.Filter, rows.Value, n), k => $"""
            WITH parts(part_hour, part_at, span_from, span_to) AS (VALUES {string.Join(", ", Enumerable.Range(0, k.N).Select(i => $"(@H{i}, @A{i}, @F{i}, @T{i})"))})
            SELECT Value, Unit, sum(Displays) AS Displays, sum(Promoters) AS Promoters, sum(Passives) AS Passives,
                   sum(Detractors) AS Detractors, sum(ScoreSum) AS ScoreSum, sum(ScoreSquares) AS ScoreSquares
            FROM (
                SELECT {k.Value} AS Value, part_at AS Unit, {Counters} FROM parts CROSS JOIN {k.Source} AND hour = part_hour
                UNION ALL
                SELECT Value, Unit, -Displays, -Promoters, -Passives, -Detractors, -ScoreSum, -ScoreSquares FROM ({RawRowsOver("parts", _ => "part_at")}) AS rest
            ) AS hour_part
            GROUP BY Value, Unit
            """);

    /// <summary>The parameters of <see cref="Raw"/> reads for one request and trait key.</summary>
    sealed record RawQuery(IReadOnlyList<string> SurveyIds, long Grain, string Filters, string? GroupPath);

    static IEnumerable<CountRow> Raw(DbConnection c, RawQuery raw, Span span) =>
        c.Query<CountRow>(c.Sql(RawRows), new { raw.SurveyIds, span.From, span.To, raw.Grain, raw.Filters, raw.GroupPath });

    static void ReadRaw(DbConnection c, MetricsQuery q, IReadOnlyList<Bucket> buckets, Span span, long grain,
        IReadOnlyDictionary<string, string> filters, string? groupKey, Segments into)
    {
        var raw = new RawQuery(q.SurveyIds, grain, JsonSerializer.Serialize(filters), groupKey is null ? null : TraitSql.PathOf(groupKey));
        foreach (var row in Raw(c, raw, span))
            into.Add(row.Value, TimeBuckets.IndexOf(buckets, row.Unit * grain), row.Counts);
    }

    static Segments ReadTagged(DbConnection c, MetricsQuery q, IReadOnlyList<Bucket> buckets, long grain, string? groupBy)
    {
        var byTag = groupBy == TagSql.GroupBy;
        var into = new Segments(buckets.Count);
        var rows = c.Query<CountRow>(c.Sql(byTag ? TaggedByTag : TaggedByTrait), new
        {
            q.SurveyIds,
            q.From,
            q.To,
            Grain = grain,
            Filters = JsonSerializer.Serialize(q.Where),
            GroupPath = groupBy is null || byTag ? null : TraitSql.PathOf(groupBy),
            q.Tag,
        });
        foreach (var row in rows)
            into.Add(row.Value, TimeBuckets.IndexOf(buckets, row.Unit * grain), row.Counts);
        return into;
    }

    static NpsReport Report(Segments headline, Segments? groups, IReadOnlyList<Bucket> buckets, bool series,
        IReadOnlyDictionary<string, (double? From, double? To)>? bands = null)
    {
        var all = headline.Sum();
        var total = NpsMath.Summarise(all.Total);
        return new NpsReport(total,
            series ? Points(all.PerBucket, buckets) : null,
            groups?.Values
                .Select(g => (g.Key, Counts: g.Value))
                .Select(g => (g.Key, g.Counts, Total: g.Counts.Aggregate(default(NpsCounts), (a, b) => a + b)))
                .Where(g => g.Total != default) // a value seen only in rows moved out of the range
                // Bands in ascending order, then values that are not numbers; groups of values by responses.
                .OrderBy(g => bands is null || !bands.ContainsKey(g.Key) ? 1 : 0)
                .ThenBy(g => bands is not null && bands.TryGetValue(g.Key, out var b) ? b.From ?? double.MinValue : 0)
                .ThenByDescending(g => g.Total.Responses).ThenByDescending(g => g.Total.Displays).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    var band = bands is not null && bands.TryGetValue(g.Key, out var edges) ? edges : default;
                    return new NpsGroup(g.Key, NpsMath.Summarise(g.Total), series ? Points(g.Counts, buckets) : null, band.From, band.To);
                })
                .ToList());
    }

    static List<NpsPoint> Points(NpsCounts[] counts, IReadOnlyList<Bucket> buckets) =>
        buckets.Select((b, i) => new NpsPoint(b.Start, NpsMath.Summarise(counts[i]))).ToList();

    /// <summary>Counts per segment value and bucket.</summary>
    internal sealed class Segments(int buckets)
    {
        public Dictionary<string, NpsCounts[]> Values { get; } = new(StringComparer.Ordinal);

        public void Add(string value, int bucket, NpsCounts counts)
        {
            if (bucket < 0)
                return;
            if (!Values.TryGetValue(value, out var perBucket))
                Values[value] = perBucket = new NpsCounts[buckets];
            perBucket[bucket] += counts;
        }

        /// <summary>All values together (the headline has one value, '' or the filtered one).</summary>
        public (NpsCounts Total, NpsCounts[] PerBucket) Sum()
        {
            var perBucket = new NpsCounts[buckets];
            foreach (var counts in Values.Values)
                for (var i = 0; i < buckets; i++)
                    perBucket[i] += counts[i];
            return (perBucket.Aggregate(default(NpsCounts), (a, b) => a + b), perBucket);
        }
    }

    sealed class CountRow
    {
        public string Value { get; set; } = "";
        public long Unit { get; set; }
        public long Displays { get; set; }
        public long Promoters { get; set; }
        public long Passives { get; set; }
        public long Detractors { get; set; }
        public long ScoreSum { get; set; }
        public long ScoreSquares { get; set; }

        public NpsCounts Counts => new(Displays, Promoters, Passives, Detractors, ScoreSum, ScoreSquares);
    }
}
