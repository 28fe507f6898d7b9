using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>Settings of the analytics aggregates (section <c>Analytics</c>).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>
    /// The segment keys that get pair aggregates (<c>nps_pair_daily</c>), separated by commas: trait keys, and <c>locale</c>,
    /// <c>variant</c>, <c>channel</c> for the display's own fields. A filter on one of them with groups
    /// by another, or two filters on them, read day rows instead of raw rows. Each pair costs one more
    /// row per display and day, so list low-cardinality keys only (a plan, a role, an industry).
    /// </summary>
    public string PairTraits { get; set; } = "locale,variant,channel";
}

/// <summary>
/// The pair aggregates (decision P4): per survey, UTC day and unordered pair of listed segment keys
/// (<c>key_a</c> before <c>key_b</c> in byte order, SQLite's BINARY order) with both values, the
/// counters of <c>nps_daily</c>. The SQLite-only SQL of the feature (upserts, the CTE of a display's
/// segments, the rebuild) is here and nowhere else.
/// </summary>
public static class PairAggregates
{
    /// <summary>The display's listed segments (key, value) as the CTE <c>s(k, v)</c>, from the hook's parameters.</summary>
    const string Segments = $"""
        WITH s(k, v) AS (
            SELECT k, v FROM (
                SELECT j.key AS k, {TraitSql.EachValue} AS v FROM json_each(@Traits) j WHERE {TraitSql.EachIsSegment}
                UNION ALL SELECT '{DisplayFields.Locale}', @Locale WHERE @Locale IS NOT NULL
                UNION ALL SELECT '{DisplayFields.Variant}', @Variant WHERE @Variant IS NOT NULL
                UNION ALL SELECT '{DisplayFields.Channel}', @Channel WHERE @Channel IS NOT NULL) AS segments
            WHERE k IN (SELECT key FROM nps_pair_keys))
        """;

    const string Columns = $"displays, promoters, passives, detractors, score_sum, score_squares, {ScoreCounters.Columns}";

    /// <summary>The conflict action of every upsert here: the new row's counters added to the stored row <c>a</c>.</summary>
    const string AddCounters = $"""
        DO UPDATE SET displays = a.displays + excluded.displays, promoters = a.promoters + excluded.promoters,
                      passives = a.passives + excluded.passives, detractors = a.detractors + excluded.detractors,
                      score_sum = a.score_sum + excluded.score_sum, score_squares = a.score_squares + excluded.score_squares,
                      {ScoreCounters.Set}
        """;

    /// <summary>Adds the counts <c>@Displays…@ScoreSquares</c> to every pair of the display's listed segments at <c>@Day</c> or <c>@Hour</c>.</summary>
    static string AddTo(string table, string unit, string at) => $"""
        {Segments}
        INSERT INTO {table} AS a (survey_id, key_a, key_b, {unit}, value_a, value_b, {Columns})
        SELECT @SurveyId, x.k, y.k, {at}, x.v, y.v, @Displays, @Promoters, @Passives, @Detractors, @ScoreSum, @ScoreSquares, {ScoreCounters.Values}
        FROM s x JOIN s y ON x.k < y.k
        WHERE true
        ON CONFLICT (survey_id, key_a, key_b, {unit}, value_a, value_b)
        {AddCounters}
        """;

    /// <summary>The day upsert (<c>nps_pair_daily</c>, <c>@Day</c>).</summary>
    public static readonly string Add = AddTo("nps_pair_daily", "day", "@Day");

    /// <summary>The hour upsert (<c>nps_pair_hourly</c>, <c>@Hour</c>; decision Q1).</summary>
    public static readonly string AddHourly = AddTo("nps_pair_hourly", "hour", "@Hour");

    /// <summary>Deletes the display's pair rows of <c>@Day</c> or <c>@Hour</c> left at zero (after an erasure or a delete).</summary>
    static string PruneFrom(string table, string unit, string at) => $"""
        {Segments}
        DELETE FROM {table}
        WHERE survey_id = @SurveyId AND {unit} = {at}
          AND (key_a, key_b, value_a, value_b) IN (SELECT x.k, y.k, x.v, y.v FROM s x JOIN s y ON x.k < y.k)
          AND displays = 0 AND promoters = 0 AND passives = 0 AND detractors = 0 AND score_sum = 0 AND score_squares = 0
        """;

    public static readonly string Prune = PruneFrom("nps_pair_daily", "day", "@Day");

    public static readonly string PruneHourly = PruneFrom("nps_pair_hourly", "hour", "@Hour");

    /// <summary>
    /// Every display and every answer as one contribution row (the counters it adds), with the display's segments.
    /// The flags are CASE expressions, not comparisons: PostgreSQL's are booleans, which a UNION with 0 refuses.
    /// </summary>
    internal const string Contributions = $"""
        SELECT d.survey_id, d.traits, d.locale, d.variant, d.channel, d.shown_at AS at, 1 AS displays, 0 AS promoters,
               0 AS passives, 0 AS detractors, 0 AS score_sum, 0 AS score_squares, {ScoreCounters.None}
        FROM displays d
        UNION ALL
        SELECT r.survey_id, d.traits, d.locale, d.variant, d.channel, r.created_at, 0,
               CASE WHEN r.category IN ('promoter', 'satisfied', 'easy') THEN 1 ELSE 0 END,
               CASE WHEN r.category IN ('passive', 'neutral') THEN 1 ELSE 0 END,
               CASE WHEN r.category IN ('detractor', 'dissatisfied', 'difficult') THEN 1 ELSE 0 END, r.score, r.score * r.score,
               {ScoreCounters.OfResponse}
        FROM responses r JOIN displays d ON d.id = r.display_id
        """;

    /// <summary>The listed segments <c>(id, k, v)</c> of every contribution in the table <paramref name="contributions"/>, numbered by its <c>rowid</c>.</summary>
    static string ListedSegmentsOf(string contributions) => $"""
        SELECT id, k, v FROM (
            SELECT c.rowid AS id, j.key AS k, {TraitSql.EachValue} AS v
            FROM {contributions} c, json_each(c.traits) j WHERE {TraitSql.EachIsSegment}
            UNION ALL SELECT rowid, '{DisplayFields.Locale}', locale FROM {contributions} WHERE locale IS NOT NULL
            UNION ALL SELECT rowid, '{DisplayFields.Variant}', variant FROM {contributions} WHERE variant IS NOT NULL
            UNION ALL SELECT rowid, '{DisplayFields.Channel}', channel FROM {contributions} WHERE channel IS NOT NULL) AS segments
        WHERE k IN (SELECT key FROM nps_pair_keys)
        """;

    /// <summary>The listed segments of each contribution of the writer's <c>batch_contrib</c>, as <see cref="Segments"/> gives them for one display.</summary>
    internal static readonly string BatchSegments = $"INSERT INTO batch_segments (id, k, v)\n{ListedSegmentsOf("batch_contrib")}";

    /// <summary>The pairs of <c>batch_segments</c> summed per row of <paramref name="table"/> and added to it (the batch's <see cref="Add"/> or <see cref="AddHourly"/>).</summary>
    internal static string SumBatch(string table, string unit) => $"""
        INSERT INTO {table} AS a (survey_id, key_a, key_b, {unit}, value_a, value_b, {Columns})
        SELECT c.survey_id, x.k, y.k, c.{unit}, x.v, y.v, sum(c.displays), sum(c.promoters), sum(c.passives),
               sum(c.detractors), sum(c.score_sum), sum(c.score_squares), {ScoreCounters.SumsOfC}
        FROM batch_segments x JOIN batch_segments y ON y.id = x.id AND x.k < y.k JOIN batch_contrib c ON c.rowid = x.id
        WHERE true
        GROUP BY c.survey_id, x.k, y.k, c.{unit}, x.v, y.v
        ON CONFLICT (survey_id, key_a, key_b, {unit}, value_a, value_b)
        {AddCounters}
        """;

    /// <summary>
    /// The table recomputed from displays and responses for the keys in <c>nps_pair_keys</c> (days as the backfill of 0100 counts them),
    /// from the temporary table <c>pair_contrib</c> with a <c>rowid</c> per contribution.
    /// </summary>
    static readonly string SegmentsOfContributions = $"CREATE TEMP TABLE pair_segments AS\n{ListedSegmentsOf("pair_contrib")}";

    /// <summary>The pairs of each contribution's segments summed into <paramref name="table"/> per <paramref name="ms"/> milliseconds.</summary>
    static string Fill(string table, string unit, string ms) => $"""
        INSERT INTO {table} (survey_id, key_a, key_b, {unit}, value_a, value_b, {Columns})
        SELECT c.survey_id, x.k, y.k, c.at / {ms}, x.v, y.v, sum(c.displays), sum(c.promoters), sum(c.passives),
               sum(c.detractors), sum(c.score_sum), sum(c.score_squares), {ScoreCounters.SumsOfC}
        FROM pair_segments x JOIN pair_segments y ON y.id = x.id AND x.k < y.k JOIN pair_contrib c ON c.rowid = x.id
        GROUP BY c.survey_id, x.k, y.k, c.at / {ms}, x.v, y.v;
        """;

    /// <summary>The pairs of each contribution's segments summed into the day and hour tables; the temporary tables dropped.</summary>
    static readonly string FillFromSegments = $"""
        {Fill("nps_pair_daily", "day", "86400000")}
        {Fill("nps_pair_hourly", "hour", "3600000")}
        DROP TABLE pair_segments;
        DROP TABLE pair_contrib;
        """;

    /// <summary>SQLite: the temporary tables' own rowid numbers the contributions; a temporary index is named in <c>temp</c>.</summary>
    static readonly string RebuildSqlite = $"""
        DELETE FROM nps_pair_daily;
        DELETE FROM nps_pair_hourly;
        CREATE TEMP TABLE pair_contrib AS {Contributions};
        {SegmentsOfContributions};
        CREATE INDEX temp.pair_segments_id ON pair_segments (id, k);
        {FillFromSegments}
        """;

    /// <summary>PostgreSQL: a column named <c>rowid</c> numbers them (docs/decisions.md G9); an index on a temporary table is temporary itself.</summary>
    static readonly string RebuildPostgres = $"""
        DELETE FROM nps_pair_daily;
        DELETE FROM nps_pair_hourly;
        CREATE TEMP TABLE pair_contrib AS SELECT row_number() OVER () AS rowid, u.* FROM ({Contributions}) AS u;
        {SegmentsOfContributions};
        CREATE INDEX pair_segments_id ON pair_segments (id, k);
        {FillFromSegments}
        """;

    /// <summary>Recomputes <c>nps_pair_daily</c> and <c>nps_pair_hourly</c> for the listed keys, in the caller's write transaction.</summary>
    public static void Rebuild(DbConnection c, DbTransaction tx) =>
        c.Execute(c is Microsoft.Data.Sqlite.SqliteConnection ? RebuildSqlite : RebuildPostgres, transaction: tx);

    /// <summary>The aggregate keys (<see cref="DisplayFields.KeyOf"/>) of the setting, without repeats.</summary>
    public static SortedSet<string> KeysOf(string names) =>
        new(names.Split(',').Select(n => n.Trim()).Where(n => n.Length > 0).Select(DisplayFields.KeyOf), StringComparer.Ordinal);

    /// <summary>
    /// Makes <c>nps_pair_keys</c> the given keys; when they differ from the stored ones the table is
    /// rebuilt in the same transaction. True when it was.
    /// </summary>
    public static bool Sync(DbConnection c, DbTransaction tx, IReadOnlySet<string> keys)
    {
        // Instances starting together on PostgreSQL: the second waits for the first's commit, then reads the keys it stored
        // (READ COMMITTED: a fresh snapshot per statement), instead of inserting them again into a duplicate key.
        if (c is not Microsoft.Data.Sqlite.SqliteConnection)
            c.Execute("SELECT pg_advisory_xact_lock(@Key)", new { Key = SyncLockKey }, tx);
        var stored = c.Query<string>("SELECT key FROM nps_pair_keys", transaction: tx).ToHashSet(StringComparer.Ordinal);
        if (stored.SetEquals(keys))
            return false;
        c.Execute("DELETE FROM nps_pair_keys", transaction: tx);
        c.Execute("INSERT INTO nps_pair_keys (key) VALUES (@Key)", keys.Select(k => new { Key = k }), tx);
        Rebuild(c, tx);
        return true;
    }

    /// <summary>The PostgreSQL advisory lock <see cref="Sync"/> holds until its transaction ends ("pairkeys").</summary>
    const long SyncLockKey = 0x706169726b657973;

    /// <summary>The keys the table holds now.</summary>
    public static HashSet<string> Stored(DbConnection c) =>
        c.Query<string>("SELECT key FROM nps_pair_keys").ToHashSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="a"/> comes before <paramref name="b"/> in SQLite's BINARY order (UTF-8 bytes), the order of <c>key_a</c> and <c>key_b</c>.</summary>
    public static bool Before(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)) < 0;
}

/// <summary>Brings <c>nps_pair_keys</c> (and so the pair aggregates) in line with <see cref="AnalyticsOptions.PairTraits"/> at start-up, through the writer.</summary>
sealed class PairAggregateSync(WriteQueue writer, IOptions<AnalyticsOptions> options, ILogger<PairAggregateSync> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = PairAggregates.KeysOf(options.Value.PairTraits);
        if (await writer.ExecuteAsync((c, tx) => PairAggregates.Sync(c, tx, keys)))
            log.LogInformation("Pair aggregates rebuilt for {Keys}", string.Join(", ", keys));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
