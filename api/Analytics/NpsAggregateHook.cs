using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>
/// Keeps <c>nps_daily</c> and <c>nps_hourly</c> in step with displays and responses, inside the
/// writer's transaction: a display adds one to <c>displays</c>, a response one to its category —
/// per day in the row for all data, in one row per trait of the display's snapshot and in
/// the rows of its locale, variant and channel (one statement), per pair of listed segments in
/// <c>nps_pair_daily</c> (<see cref="PairAggregates"/>, one more), and the same two per UTC hour in
/// <c>nps_hourly</c> and <c>nps_pair_hourly</c> (decision Q1). An update that changes the category moves
/// the count; an erasure takes it away and deletes rows left at zero, so no trait value of an
/// erased user stays behind. Each row also counts answers per score, <c>s0…s10</c> (<see cref="ScoreCounters"/>,
/// decision S1): the distribution of <c>GET /v1/metrics/scores</c>, in the same statements.
/// </summary>
public sealed class NpsAggregateHook : IDisplayHook, IResponseHook
{
    const string Set = $"""
        DO UPDATE SET displays = a.displays + excluded.displays, promoters = a.promoters + excluded.promoters,
                      passives = a.passives + excluded.passives, detractors = a.detractors + excluded.detractors,
                      score_sum = a.score_sum + excluded.score_sum, score_squares = a.score_squares + excluded.score_squares,
                      {ScoreCounters.Set}
        """;

    /// <summary>Adds the counts to every segment row of the display at <paramref name="unit"/> (<c>day</c> or <c>hour</c>, bound as <c>@Day</c> or <c>@Hour</c>).</summary>
    static string AddSegments(string table, string unit, string at) => $"""
        INSERT INTO {table} AS a (survey_id, trait_key, {unit}, trait_value, {Columns})
        SELECT @SurveyId, '', {at}, '', {Values}
        UNION ALL
        SELECT @SurveyId, j.key, {at}, {TraitSql.EachValue}, {Values}
        FROM json_each(@Traits) j WHERE {TraitSql.EachIsSegment}
        UNION ALL
        SELECT @SurveyId, '{DisplayFields.Locale}', {at}, @Locale, {Values} WHERE @Locale IS NOT NULL
        UNION ALL
        SELECT @SurveyId, '{DisplayFields.Variant}', {at}, @Variant, {Values} WHERE @Variant IS NOT NULL
        UNION ALL
        SELECT @SurveyId, '{DisplayFields.Channel}', {at}, @Channel, {Values}
        ON CONFLICT (survey_id, trait_key, {unit}, trait_value) {Set}
        """;

    static readonly string AddDaily = AddSegments("nps_daily", "day", "@Day");

    static readonly string AddHourly = AddSegments("nps_hourly", "hour", "@Hour");

    const string Keys = $"""
        SELECT '', '' UNION ALL SELECT j.key, {TraitSql.EachValue} FROM json_each(@Traits) j WHERE {TraitSql.EachIsSegment}
        UNION ALL SELECT '{DisplayFields.Locale}', @Locale UNION ALL SELECT '{DisplayFields.Variant}', @Variant
        UNION ALL SELECT '{DisplayFields.Channel}', @Channel
        """;

    const string Empty = "displays = 0 AND promoters = 0 AND passives = 0 AND detractors = 0 AND score_sum = 0 AND score_squares = 0";

    const string PruneDaily = $"""
        DELETE FROM nps_daily
        WHERE survey_id = @SurveyId AND day = @Day AND (trait_key, trait_value) IN ({Keys}) AND {Empty}
        """;

    const string PruneHourly = $"""
        DELETE FROM nps_hourly
        WHERE survey_id = @SurveyId AND hour = @Hour AND (trait_key, trait_value) IN ({Keys}) AND {Empty}
        """;

    /// <summary>
    /// Every contribution of a display or response to the aggregates, once for all data (key '') and once per
    /// segment (traits, locale, variant, channel), with its time <c>at</c>; from <c>kind_contrib</c>.
    /// </summary>
    const string Segments = $"""
        SELECT survey_id, '' AS trait_key, '' AS trait_value, at, {Columns}
        FROM kind_contrib
        UNION ALL
        SELECT c.survey_id, j.key, {TraitSql.EachValue},
               c.at, c.displays, c.promoters, c.passives, c.detractors, c.score_sum, c.score_squares, {ScoreCounters.OfC}
        FROM kind_contrib c, json_each(c.traits) j
        WHERE {TraitSql.EachIsSegment}
        UNION ALL
        SELECT survey_id, '{DisplayFields.Locale}', locale, at, {Columns}
        FROM kind_contrib WHERE locale IS NOT NULL
        UNION ALL
        SELECT survey_id, '{DisplayFields.Variant}', variant, at, {Columns}
        FROM kind_contrib WHERE variant IS NOT NULL
        UNION ALL
        SELECT survey_id, '{DisplayFields.Channel}', channel, at, {Columns}
        FROM kind_contrib WHERE channel IS NOT NULL
        """;

    /// <summary>
    /// The backfills of migrations 0100 (every column, traits, locale and variant), 0130 (channel) and 0180 (the
    /// segments' hours) in one: the day and hour aggregates recomputed from displays and responses. Written for both
    /// providers (the migrations' text sums comparisons and leaves a subquery unnamed, which PostgreSQL refuses; decisions GA2).
    /// </summary>
    const string Backfill = $"""
        CREATE TEMP TABLE kind_contrib AS
        {PairAggregates.Contributions};

        INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, {Columns})
        SELECT survey_id, trait_key, at / 86400000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors),
               sum(score_sum), sum(score_squares), {ScoreCounters.Sums}
        FROM ({Segments}) AS contributions
        GROUP BY survey_id, trait_key, at / 86400000, trait_value;

        INSERT INTO nps_hourly (survey_id, trait_key, hour, trait_value, {Columns})
        SELECT survey_id, trait_key, at / 3600000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors),
               sum(score_sum), sum(score_squares), {ScoreCounters.Sums}
        FROM ({Segments}) AS contributions
        GROUP BY survey_id, trait_key, at / 3600000, trait_value;

        DROP TABLE kind_contrib;
        """;

    /// <summary>
    /// Recomputes both tables (and the pair, accounts and reason aggregates and each answer's next answer) from the raw rows, for bulk loads that write displays and responses
    /// without the hooks (benchmark seeding, imports). Runs in the caller's write transaction.
    /// </summary>
    public static void Rebuild(DbConnection c, DbTransaction tx)
    {
        c.Execute("DELETE FROM nps_daily; DELETE FROM nps_hourly;", transaction: tx);
        c.Execute(Backfill, transaction: tx);
        PairAggregates.Rebuild(c, tx);
        AccountAggregates.Rebuild(c, tx);
        ReasonAggregates.Rebuild(c, tx);
        NextAnswers.Rebuild(c, tx);
    }

    public void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten display) =>
        Add(c, tx, display, display.ShownAt, new NpsCounts(1, 0, 0, 0), default);

    const string Columns = $"displays, promoters, passives, detractors, score_sum, score_squares, {ScoreCounters.Columns}";
    const string Values = $"@Displays, @Promoters, @Passives, @Detractors, @ScoreSum, @ScoreSquares, {ScoreCounters.Values}";

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (response.Created)
        {
            Add(c, tx, response.Display, response.CreatedAt, Of(response.Category, response.Score, 1), new ScoreMove(response.Score, null));
            return;
        }
        if (response.PreviousCategory is null || response.PreviousScore is not { } previous || previous == response.Score)
            return;
        // The response keeps its created_at, so it stays in its bucket and only changes score (and maybe category).
        var moved = Of(response.Category, response.Score, 1) + Of(response.PreviousCategory, previous, -1);
        Add(c, tx, response.Display, response.CreatedAt, moved, new ScoreMove(response.Score, previous));
    }

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response) =>
        Remove(c, tx, response.Display, response.CreatedAt, Of(response.Category, response.Score, -1), new ScoreMove(null, response.Score));

    public void DisplayDeleted(DbConnection c, DbTransaction tx, DisplayWritten display) =>
        Remove(c, tx, display, display.ShownAt, new NpsCounts(-1, 0, 0, 0), default);

    /// <summary>One answer of <paramref name="score"/> in its category's column (<see cref="QuestionKinds.RankOf"/>), counted <paramref name="delta"/> times.</summary>
    static NpsCounts Of(string category, int score, int delta) => (QuestionKinds.RankOf(category) switch
    {
        2 => new NpsCounts(0, delta, 0, 0),
        1 => new NpsCounts(0, 0, delta, 0),
        0 => new NpsCounts(0, 0, 0, delta),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a category of any question kind."),
    }) with { ScoreSum = delta * score, ScoreSquares = delta * score * score };

    /// <summary>
    /// The four upserts run on every display and response; preparing them costs more than running
    /// them, so they are kept prepared on the writer's connection (<see cref="PreparedStatements"/>).
    /// </summary>
    static void Add(DbConnection c, DbTransaction tx, DisplayWritten display, long at, NpsCounts delta, ScoreMove scores)
    {
        // An append command (a new display, an answer) on SQLite: the batch sums its adds and writes them before it commits.
        if (c is SqliteConnection && WriteBatch.Buffer<BatchedAdds>(tx) is { } batch)
            batch.Add(display, at, delta, scores);
        else
            AddNow(c, tx, display, at, delta, scores);
    }

    static void AddNow(DbConnection c, DbTransaction tx, DisplayWritten display, long at, NpsCounts delta, ScoreMove scores)
    {
        var (day, hour) = (TimeBuckets.FloorDiv(at, TimeBuckets.DayMs), TimeBuckets.FloorDiv(at, TimeBuckets.HourMs));
        Upsert(c, tx, AddDaily, "@Day", day, display, delta, scores);
        Upsert(c, tx, PairAggregates.Add, "@Day", day, display, delta, scores);
        Upsert(c, tx, AddHourly, "@Hour", hour, display, delta, scores);
        Upsert(c, tx, PairAggregates.AddHourly, "@Hour", hour, display, delta, scores);
    }

    /// <summary>Runs one of the prepared upserts with the display's segments, its day or hour (<paramref name="unit"/>) and the counts.</summary>
    static void Upsert(DbConnection c, DbTransaction tx, string sql, string unit, long value, DisplayWritten display, NpsCounts delta, ScoreMove scores) =>
        Scores(Counts(c.Prepared(tx, sql).Bind("@SurveyId", display.SurveyId).Bind(unit, value)
            .Bind("@Traits", TraitsOf(display)).Bind("@Locale", display.Locale).Bind("@Variant", display.Variant)
            .Bind("@Channel", display.Channel), delta), scores).ExecuteNonQuery();

    static DbCommand Counts(DbCommand command, NpsCounts delta) =>
        command.Bind("@Displays", delta.Displays).Bind("@Promoters", delta.Promoters).Bind("@Passives", delta.Passives)
            .Bind("@Detractors", delta.Detractors).Bind("@ScoreSum", delta.ScoreSum).Bind("@ScoreSquares", delta.ScoreSquares);

    /// <summary>Binds <c>@S0…@S10</c>: one more answer of <see cref="ScoreMove.Added"/>, one fewer of <see cref="ScoreMove.Removed"/>.</summary>
    static DbCommand Scores(DbCommand command, ScoreMove scores)
    {
        for (var i = 0; i < ScoreCounters.Count; i++)
            command.Bind(ScoreCounters.Parameters[i], (scores.Added == i ? 1L : 0L) - (scores.Removed == i ? 1L : 0L));
        return command;
    }

    /// <summary>The score columns an answer moves: one more of <paramref name="Added"/>, one fewer of <paramref name="Removed"/> (null: none).</summary>
    readonly record struct ScoreMove(int? Added, int? Removed);

    static void Remove(DbConnection c, DbTransaction tx, DisplayWritten display, long at, NpsCounts delta, ScoreMove scores)
    {
        // The prune reads the rows just written: never buffered.
        AddNow(c, tx, display, at, delta, scores);
        var p = new
        {
            display.SurveyId,
            Day = TimeBuckets.FloorDiv(at, TimeBuckets.DayMs),
            Hour = TimeBuckets.FloorDiv(at, TimeBuckets.HourMs),
            Traits = TraitsOf(display),
            display.Locale,
            display.Variant,
            display.Channel,
        };
        c.Execute(PruneDaily, p, tx);
        c.Execute(PruneHourly, p, tx);
        c.Execute(PairAggregates.Prune, p, tx);
        c.Execute(PairAggregates.PruneHourly, p, tx);
    }

    /// <summary>
    /// The adds of a batch's append commands (decision WR2): each one a row of the temporary table <c>batch_contrib</c>
    /// at the flush, then summed into the four tables by the same expansions as <see cref="AddSegments"/> and
    /// <see cref="PairAggregates.Add"/>, one upsert per touched row — most answers of a batch share a day, an hour, the
    /// row for all data and their low-cardinality segments. A flush of one or two adds runs the direct upserts instead.
    /// </summary>
    sealed class BatchedAdds : IBatchBuffer
    {
        readonly List<Contribution> _accepted = [];
        readonly List<Contribution> _pending = [];

        public void Add(DisplayWritten display, long at, NpsCounts delta, ScoreMove scores) =>
            _pending.Add(new Contribution(display, at, delta, scores));

        public void Accept()
        {
            _accepted.AddRange(_pending);
            _pending.Clear();
        }

        public void Discard() => _pending.Clear();

        public void Flush(DbConnection c, DbTransaction tx)
        {
            if (_accepted.Count <= 2)
            {
                foreach (var a in _accepted)
                    AddNow(c, tx, a.Display, a.At, a.Delta, a.Scores);
                _accepted.Clear();
                return;
            }
            foreach (var sql in BatchTables)
                c.Prepared(tx, sql).ExecuteNonQuery();
            foreach (var a in _accepted)
            {
                var command = c.Prepared(tx, InsertContribution).Bind("@SurveyId", a.Display.SurveyId).Bind("@Traits", TraitsOf(a.Display))
                    .Bind("@Locale", a.Display.Locale).Bind("@Variant", a.Display.Variant).Bind("@Channel", a.Display.Channel)
                    .Bind("@Day", TimeBuckets.FloorDiv(a.At, TimeBuckets.DayMs)).Bind("@Hour", TimeBuckets.FloorDiv(a.At, TimeBuckets.HourMs));
                Scores(Counts(command, a.Delta), a.Scores).ExecuteNonQuery();
            }
            _accepted.Clear();
            foreach (var sql in BatchSums)
                c.Prepared(tx, sql).ExecuteNonQuery();
        }

        readonly record struct Contribution(DisplayWritten Display, long At, NpsCounts Delta, ScoreMove Scores);
    }

    /// <summary>The writer connection's temporary tables of <see cref="BatchedAdds"/> (kept empty between flushes).</summary>
    static readonly string[] BatchTables =
    [
        $"""
        CREATE TEMP TABLE IF NOT EXISTS batch_contrib (
            survey_id TEXT NOT NULL, traits TEXT NOT NULL, locale TEXT, variant TEXT, channel TEXT, day INTEGER NOT NULL, hour INTEGER NOT NULL,
            displays INTEGER NOT NULL, promoters INTEGER NOT NULL, passives INTEGER NOT NULL, detractors INTEGER NOT NULL,
            score_sum INTEGER NOT NULL, score_squares INTEGER NOT NULL, {ScoreCounters.Columns})
        """,
        "CREATE TEMP TABLE IF NOT EXISTS batch_segments (id INTEGER NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS temp.batch_segments_id ON batch_segments (id, k)",
    ];

    const string InsertContribution = $"""
        INSERT INTO batch_contrib (survey_id, traits, locale, variant, channel, day, hour, {Columns})
        VALUES (@SurveyId, @Traits, @Locale, @Variant, @Channel, @Day, @Hour, {Values})
        """;

    /// <summary>The rows <see cref="AddSegments"/> adds to, for every contribution of <c>batch_contrib</c> at its <paramref name="unit"/>.</summary>
    static string BatchSegments(string unit) => $"""
        SELECT survey_id, '' AS trait_key, '' AS trait_value, {unit}, {Columns} FROM batch_contrib
        UNION ALL
        SELECT c.survey_id, j.key, {TraitSql.EachValue}, c.{unit},
               c.displays, c.promoters, c.passives, c.detractors, c.score_sum, c.score_squares, {ScoreCounters.OfC}
        FROM batch_contrib c, json_each(c.traits) j WHERE {TraitSql.EachIsSegment}
        UNION ALL
        SELECT survey_id, '{DisplayFields.Locale}', locale, {unit}, {Columns} FROM batch_contrib WHERE locale IS NOT NULL
        UNION ALL
        SELECT survey_id, '{DisplayFields.Variant}', variant, {unit}, {Columns} FROM batch_contrib WHERE variant IS NOT NULL
        UNION ALL
        SELECT survey_id, '{DisplayFields.Channel}', channel, {unit}, {Columns} FROM batch_contrib
        """;

    static string SumSegments(string table, string unit) => $"""
        INSERT INTO {table} AS a (survey_id, trait_key, {unit}, trait_value, {Columns})
        SELECT survey_id, trait_key, {unit}, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors),
               sum(score_sum), sum(score_squares), {ScoreCounters.Sums}
        FROM ({BatchSegments(unit)}) AS contributions
        WHERE true
        GROUP BY survey_id, trait_key, {unit}, trait_value
        ON CONFLICT (survey_id, trait_key, {unit}, trait_value) {Set}
        """;

    /// <summary>The flush after the contributions are in: segments, their sums into the four tables, and the temporary rows gone.</summary>
    static readonly string[] BatchSums =
    [
        SumSegments("nps_daily", "day"),
        SumSegments("nps_hourly", "hour"),
        PairAggregates.BatchSegments,
        PairAggregates.SumBatch("nps_pair_daily", "day"),
        PairAggregates.SumBatch("nps_pair_hourly", "hour"),
        "DELETE FROM batch_segments",
        "DELETE FROM batch_contrib",
    ];

    static string TraitsOf(DisplayWritten display) => string.IsNullOrEmpty(display.TraitsJson) ? "{}" : display.TraitsJson;
}
