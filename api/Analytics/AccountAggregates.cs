using System.Data.Common;
using Dapper;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>
/// The accounts aggregates (issue 19, docs/decisions.md AC1–AC4), which <c>GET /v1/accounts</c> reads instead of raw rows:
/// <c>account_running</c>, per survey, account (trait <c>accountId</c> of the display snapshot) and UTC day with activity,
/// the running totals of displays and answers (by category rank, as <c>nps_daily</c>) of every day up to and including it,
/// so any day range of an account is two rows whatever its length; and <c>account_users</c>, per survey, account and user,
/// the time of the user's latest answer with the account's name and ARR on it, so the respondents of a range that ends
/// after the last answer are the users whose latest answer is inside it. The SQL of both is here and nowhere else.
/// </summary>
public static class AccountAggregates
{
    static string Path(string key) => $"'$.\"{key}\"'";

    /// <summary>The account, its name and ARR in the trait snapshot <c>@Traits</c> (segment values as text, as every read takes them).</summary>
    static readonly string TraitsOf = $"""
        SELECT {TraitSql.ValueIn("@Traits", Path("accountId"))} AS Account, {TraitSql.ValueIn("@Traits", Path("accountName"))} AS Name,
               {TraitSql.ValueIn("@Traits", Path("arr"))} AS Arr
        """;

    /// <summary>The running totals up to the day before <c>@Day</c> (zeros without one), as four BIGINT columns.</summary>
    const string Previous = """
        SELECT CAST(coalesce(sum(p.displays), 0) AS BIGINT) AS displays, CAST(coalesce(sum(p.promoters), 0) AS BIGINT) AS promoters,
               CAST(coalesce(sum(p.passives), 0) AS BIGINT) AS passives, CAST(coalesce(sum(p.detractors), 0) AS BIGINT) AS detractors
        FROM (SELECT displays, promoters, passives, detractors FROM account_running
              WHERE survey_id = @SurveyId AND account = @Account AND day < @Day ORDER BY day DESC LIMIT 1) AS p
        """;

    /// <summary>The row of <c>@Day</c>, created with the totals of the day before when it does not exist.</summary>
    const string EnsureDay = $"""
        INSERT INTO account_running (survey_id, account, day, displays, promoters, passives, detractors)
        SELECT @SurveyId, @Account, @Day, t.displays, t.promoters, t.passives, t.detractors FROM ({Previous}) AS t
        WHERE true
        ON CONFLICT (survey_id, account, day) DO NOTHING
        """;

    /// <summary>The counts added to the rows of <c>@Day</c> and every later day (their totals include it).</summary>
    const string AddFrom = """
        UPDATE account_running
        SET displays = displays + @Displays, promoters = promoters + @Promoters, passives = passives + @Passives, detractors = detractors + @Detractors
        WHERE survey_id = @SurveyId AND account = @Account AND day >= @Day
        """;

    /// <summary>The row of <c>@Day</c> deleted when nothing happened that day any more (its totals equal the day before's).</summary>
    const string Prune = $"""
        DELETE FROM account_running
        WHERE survey_id = @SurveyId AND account = @Account AND day = @Day
          AND (displays, promoters, passives, detractors) = ({Previous})
        """;

    const string SaveUser = """
        INSERT INTO account_users AS a (survey_id, account, user_id, last_at, name, arr)
        VALUES (@SurveyId, @Account, @UserId, @At, @Name, @Arr)
        ON CONFLICT (survey_id, account, user_id)
        DO UPDATE SET last_at = excluded.last_at, name = excluded.name, arr = excluded.arr WHERE excluded.last_at >= a.last_at
        """;

    const string DeleteUser = "DELETE FROM account_users WHERE survey_id = @SurveyId AND account = @Account AND user_id = @UserId";

    /// <summary>The category rank columns of an answer, as <c>nps_daily</c> counts them.</summary>
    const string RankColumns = """
        CASE WHEN r.category IN ('promoter', 'satisfied', 'easy') THEN 1 ELSE 0 END,
        CASE WHEN r.category IN ('passive', 'neutral') THEN 1 ELSE 0 END,
        CASE WHEN r.category IN ('detractor', 'dissatisfied', 'difficult') THEN 1 ELSE 0 END
        """;

    static string RebuildIn(SqlDialect dialect) => $"""
        DELETE FROM account_running;
        DELETE FROM account_users;
        INSERT INTO account_running (survey_id, account, day, displays, promoters, passives, detractors)
        SELECT survey_id, account, day, sum(displays) OVER w, sum(promoters) OVER w, sum(passives) OVER w, sum(detractors) OVER w
        FROM (
            SELECT survey_id, account, at / 86400000 AS day, sum(displays) AS displays, sum(promoters) AS promoters,
                   sum(passives) AS passives, sum(detractors) AS detractors
            FROM (
                SELECT d.survey_id, {TraitSql.ValueAt(Path("accountId"))} AS account, d.shown_at AS at,
                       1 AS displays, 0 AS promoters, 0 AS passives, 0 AS detractors
                FROM displays d
                UNION ALL
                SELECT r.survey_id, {TraitSql.ValueAt(Path("accountId"))}, r.created_at, 0, {RankColumns}
                FROM responses r JOIN displays d ON d.id = r.display_id
            ) AS contributions
            WHERE account IS NOT NULL
            GROUP BY survey_id, account, at / 86400000
        ) AS per_day
        WINDOW w AS (PARTITION BY survey_id, account ORDER BY day);
        INSERT INTO account_users (survey_id, account, user_id, last_at, name, arr)
        SELECT survey_id, account, user_id, max(at), {dialect.OfLatest("name", "at")}, {dialect.OfLatest("arr", "at")}
        FROM (
            SELECT r.survey_id, {TraitSql.ValueAt(Path("accountId"))} AS account, r.user_id, r.created_at AS at,
                   {TraitSql.ValueAt(Path("accountName"))} AS name, {TraitSql.ValueAt(Path("arr"))} AS arr
            FROM responses r JOIN displays d ON d.id = r.display_id
        ) AS answers
        WHERE account IS NOT NULL
        GROUP BY survey_id, account, user_id;
        """;

    static readonly string[] Rebuilds = [RebuildIn(SqlDialect.Sqlite), RebuildIn(SqlDialect.Postgres)];

    /// <summary>Recomputes both tables from displays and responses, in the caller's write transaction (bulk loads, imports; <see cref="NpsAggregateHook.Rebuild"/>).</summary>
    public static void Rebuild(DbConnection c, DbTransaction tx) =>
        c.Execute(Rebuilds[c is Microsoft.Data.Sqlite.SqliteConnection ? 0 : 1], transaction: tx);

    /// <summary>The account, name and ARR of a display's trait snapshot; a null account when it has none.</summary>
    internal static (string? Account, string? Name, string? Arr) Of(DbConnection c, DbTransaction tx, DisplayWritten display)
    {
        var traits = string.IsNullOrEmpty(display.TraitsJson) ? "{}" : display.TraitsJson;
        if (!traits.Contains("accountId", StringComparison.Ordinal))
            return (null, null, null);
        using var reader = c.Prepared(tx, TraitsOf).Bind("@Traits", traits).ExecuteReader();
        reader.Read();
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return (Text(0), Text(1), Text(2));
    }

    /// <summary>Adds <paramref name="delta"/> to the account's totals from the day of <paramref name="at"/> on; deletes that day's row when <paramref name="prune"/> and it is left empty.</summary>
    internal static void Add(DbConnection c, DbTransaction tx, string surveyId, string account, long at, NpsCounts delta, bool prune)
    {
        var day = TimeBuckets.FloorDiv(at, TimeBuckets.DayMs);
        c.Prepared(tx, EnsureDay).Bind("@SurveyId", surveyId).Bind("@Account", account).Bind("@Day", day).ExecuteNonQuery();
        c.Prepared(tx, AddFrom).Bind("@SurveyId", surveyId).Bind("@Account", account).Bind("@Day", day)
            .Bind("@Displays", delta.Displays).Bind("@Promoters", delta.Promoters).Bind("@Passives", delta.Passives)
            .Bind("@Detractors", delta.Detractors).ExecuteNonQuery();
        if (prune)
            c.Prepared(tx, Prune).Bind("@SurveyId", surveyId).Bind("@Account", account).Bind("@Day", day).ExecuteNonQuery();
    }

    internal static void SaveAnswer(DbConnection c, DbTransaction tx, string surveyId, string account, string userId, long at, string? name, string? arr) =>
        c.Prepared(tx, SaveUser).Bind("@SurveyId", surveyId).Bind("@Account", account).Bind("@UserId", userId).Bind("@At", at)
            .Bind("@Name", name).Bind("@Arr", arr).ExecuteNonQuery();

    internal static void ForgetUser(DbConnection c, DbTransaction tx, string surveyId, string account, string userId) =>
        c.Execute(DeleteUser, new { SurveyId = surveyId, Account = account, UserId = userId }, tx);

    // ---- Reads ----

    /// <summary>
    /// The latest of the account's running rows matching <paramref name="condition"/> (on <c>x.day</c>), its four totals in
    /// one text ("displays,promoters,passives,detractors", <see cref="Row.Parse"/>), or null: one descent of the table's
    /// primary key per lookup, where a <c>max(day)</c> and a join on it took two (decisions AC5).
    /// </summary>
    static string At(string condition, string survey = "u.survey_id", string account = "u.account") => $"""
        (SELECT x.displays || ',' || x.promoters || ',' || x.passives || ',' || x.detractors FROM account_running x
         WHERE x.survey_id = {survey} AND x.account = {account}{condition} ORDER BY x.day DESC LIMIT 1)
        """;

    static string Latest(string column) =>
        $"(SELECT x.{column} FROM account_users x WHERE x.survey_id = u.survey_id AND x.account = u.account ORDER BY x.last_at DESC, x.user_id DESC LIMIT 1)";

    /// <summary>
    /// Per survey and account with an answer since <c>@From</c>: respondents, the latest answer's time, name and ARR,
    /// and the running totals at the last day (All), before <c>@Cut</c> (Before), and for health up to today, 90 and 180 days ago.
    /// </summary>
    static readonly string PerAccount = $"""
        SELECT u.survey_id AS SurveyId, u.account AS AccountId, u.respondents AS Respondents, u.last_at AS LastAt,
               {Latest("name")} AS AccountName, {Latest("arr")} AS Arr,
               {At("")} AS AllText, {At(" AND x.day < @Cut")} AS BeforeText, {At(" AND x.day <= @Today")} AS TodayText,
               {At(" AND x.day <= @HealthCut")} AS CutText, {At(" AND x.day <= @HealthStart")} AS StartText
        FROM (
            SELECT survey_id, account, count(*) AS respondents, max(last_at) AS last_at
            FROM account_users
            WHERE survey_id IN @SurveyIds AND last_at >= @From
            GROUP BY survey_id, account
        ) AS u
        """;

    const string Respondents = """
        SELECT account AS AccountId, count(DISTINCT user_id) AS Respondents
        FROM account_users WHERE survey_id IN @SurveyIds AND last_at >= @From
        GROUP BY account
        """;

    /// <summary>Raw answers of <c>[@A, @B)</c> counted per account: the part of the first day the day totals do not split.</summary>
    static readonly string Edge = $"""
        SELECT account AS AccountId, count(CASE WHEN category = 'promoter' THEN 1 END) AS Promoters,
               count(CASE WHEN category = 'passive' THEN 1 END) AS Passives, count(CASE WHEN category = 'detractor' THEN 1 END) AS Detractors
        FROM (
            SELECT {TraitSql.ValueAt(Path("accountId"))} AS account, r.category
            FROM responses r JOIN displays d ON d.id = r.display_id
            WHERE r.survey_id IN @SurveyIds AND r.created_at >= @A AND r.created_at < @B
        ) AS edge
        WHERE account IS NOT NULL
        GROUP BY account
        """;

    /// <summary>The answers of whole UTC hours <c>[@H0, @H1)</c> per account, from the hour rows of the trait (as <c>nps_daily</c>'s, by rank).</summary>
    const string HourEdge = """
        SELECT trait_value AS AccountId, sum(promoters) AS Promoters, sum(passives) AS Passives, sum(detractors) AS Detractors
        FROM nps_hourly
        WHERE survey_id IN @SurveyIds AND trait_key = 'accountId' AND hour >= @H0 AND hour < @H1
        GROUP BY trait_value
        """;

    /// <summary>
    /// The answers of <paramref name="span"/> (part of one day) per account: its whole hours from <c>nps_hourly</c>, the
    /// minutes before the first and after the last whole hour (less than an hour each; one end of the span is a midnight)
    /// from raw rows. All from raw rows, as before, read up to 12 hours of answers and their displays' traits: about 40 ms
    /// of the list at 1,000,000 answers (decision AC3).
    /// </summary>
    static IEnumerable<EdgeRow> EdgeRows(DbConnection c, IReadOnlyList<string> surveyIds, Span span)
    {
        var h0 = -TimeBuckets.FloorDiv(-span.From, TimeBuckets.HourMs);
        var h1 = TimeBuckets.FloorDiv(span.To, TimeBuckets.HourMs);
        if (h0 >= h1)
            return c.Query<EdgeRow>(c.Sql(Edge), new { SurveyIds = surveyIds, A = span.From, B = span.To });
        var rows = c.Query<EdgeRow>(c.Sql(HourEdge), new { SurveyIds = surveyIds, H0 = h0, H1 = h1 }).AsEnumerable();
        if (span.From < h0 * TimeBuckets.HourMs)
            rows = rows.Concat(c.Query<EdgeRow>(c.Sql(Edge), new { SurveyIds = surveyIds, A = span.From, B = h0 * TimeBuckets.HourMs }));
        if (h1 * TimeBuckets.HourMs < span.To)
            rows = rows.Concat(c.Query<EdgeRow>(c.Sql(Edge), new { SurveyIds = surveyIds, A = h1 * TimeBuckets.HourMs, B = span.To }));
        return rows;
    }

    /// <summary>
    /// The per-account answers of the query from the aggregates, or null when they cannot give them exactly (AC2):
    /// filters, a survey whose kind has other categories than promoter, passive and detractor (<paramref name="npsCategories"/> false),
    /// or an answer at or after the range's end.
    /// </summary>
    internal static List<AccountTotals>? Read(DbConnection c, AccountQuery q, bool npsCategories)
    {
        if (q.Where.Count > 0 || q.SurveyIds.Count == 0 || !npsCategories)
            return null;
        foreach (var survey in q.SurveyIds)
            if (c.ExecuteScalar<long?>("SELECT max(created_at) FROM responses WHERE survey_id = @Survey", new { Survey = survey }) is { } last && last >= q.To)
                return null;

        // The answers from @From on: all totals less those before the first day, then the part of the first day before @From
        // taken away (or the first day's totals too, and its part from @From added back), whichever reads fewer raw rows.
        var day = TimeBuckets.FloorDiv(q.From, TimeBuckets.DayMs);
        var dayStart = day * TimeBuckets.DayMs;
        var (cut, edge, sign) = q.From == dayStart ? (day, default(Span?), 0)
            : q.From - dayStart <= TimeBuckets.DayMs / 2 ? (day, new Span(dayStart, q.From), -1)
            : (day + 1, new Span(q.From, dayStart + TimeBuckets.DayMs), 1);
        var today = TimeBuckets.FloorDiv(q.Now, TimeBuckets.DayMs);
        var rows = c.Query<Row>(c.Sql(PerAccount), new
        {
            q.SurveyIds,
            q.From,
            Cut = cut,
            Today = today,
            HealthCut = today - AccountHealthMath.WindowDays,
            HealthStart = today - 2 * AccountHealthMath.WindowDays,
        }).ToList();

        var totals = new Dictionary<string, AccountTotals>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var answers = r.All + -r.Before;
            var health = new HealthCounts(r.Today + -r.Cut, (r.Cut + -r.Start) with { Displays = 0 });
            var row = new AccountTotals(r.AccountId, r.LastAt, r.AccountName, r.Arr, r.Respondents, answers, health);
            totals[r.AccountId] = totals.TryGetValue(r.AccountId, out var other) ? other.Merge(row) : row;
        }
        if (edge is { } span)
        {
            foreach (var e in EdgeRows(c, q.SurveyIds, span))
                if (totals.TryGetValue(e.AccountId, out var t))
                    totals[e.AccountId] = t with { Answers = t.Answers + new NpsCounts(0, sign * e.Promoters, sign * e.Passives, sign * e.Detractors) };
        }
        if (q.SurveyIds.Count > 1)
        {
            foreach (var r in c.Query<RespondentRow>(c.Sql(Respondents), new { q.SurveyIds, q.From }))
                if (totals.TryGetValue(r.AccountId, out var t))
                    totals[r.AccountId] = t with { Respondents = r.Respondents };
        }
        return totals.Values.ToList();
    }

    // ---- Groups of GET /v1/metrics/{nps,enps} by accountId (decision AC6) ----

    /// <summary>
    /// Every account of survey <c>@SurveyId</c> with a running row, in key order, each found by one seek past the one before
    /// (a skip scan: <c>DISTINCT</c> would read every day row), with its totals before day <c>@To</c> (AllText) and before
    /// day <c>@From</c> (BeforeText).
    /// </summary>
    static readonly string AccountsOfSurvey = $"""
        WITH RECURSIVE a(account) AS (
            SELECT min(account) FROM account_running WHERE survey_id = @SurveyId
            UNION ALL
            SELECT (SELECT min(y.account) FROM account_running y WHERE y.survey_id = @SurveyId AND y.account > a.account)
            FROM a WHERE a.account IS NOT NULL
        )
        SELECT a.account AS AccountId, {At(" AND x.day < @To", "@SurveyId", "a.account")} AS AllText,
               {At(" AND x.day < @From", "@SurveyId", "a.account")} AS BeforeText
        FROM a WHERE a.account IS NOT NULL
        """;

    /// <summary>The SQL of the accounts' skip scan (for <c>QueryPlanTests</c>).</summary>
    internal static string AccountsOfSurveySql => AccountsOfSurvey;

    /// <summary>
    /// The displays and answers (by category rank) of the UTC days <c>[dayFrom, dayTo)</c> per account, from the running
    /// totals: two lookups per account however long the range, where the day rows are one row per account and day. Accounts
    /// with nothing in those days are left out. The caller corrects the range's edges inside days (decision AC6).
    /// </summary>
    internal static IEnumerable<(string Account, NpsCounts Counts)> Between(DbConnection c, IReadOnlyList<string> surveyIds, long dayFrom, long dayTo)
    {
        var sql = c.Sql(AccountsOfSurvey);
        foreach (var survey in surveyIds)
            foreach (var r in c.Query<Row>(sql, new { SurveyId = survey, From = dayFrom, To = dayTo }))
            {
                var counts = r.All + -r.Before;
                if (counts != default)
                    yield return (r.AccountId, counts);
            }
    }

    // Settable properties, not a constructor (Dapper maps SQLite's and PostgreSQL's integer types alike).
    sealed class Row
    {
        public string AccountId { get; set; } = "";
        public long Respondents { get; set; }
        public long LastAt { get; set; }
        public string? AccountName { get; set; }
        public string? Arr { get; set; }
        public string? AllText { get; set; }
        public string? BeforeText { get; set; }
        public string? TodayText { get; set; }
        public string? CutText { get; set; }
        public string? StartText { get; set; }

        public NpsCounts All => Parse(AllText);
        public NpsCounts Before => Parse(BeforeText);
        public NpsCounts Today => Parse(TodayText);
        public NpsCounts Cut => Parse(CutText);
        public NpsCounts Start => Parse(StartText);

        /// <summary>The totals of an <see cref="At"/> lookup; none (zeros) without a running row.</summary>
        internal static NpsCounts Parse(string? text)
        {
            if (text is null)
                return default;
            Span<long> v = stackalloc long[4];
            var rest = text.AsSpan();
            for (var i = 0; i < 4; i++)
            {
                var comma = rest.IndexOf(',');
                var part = comma < 0 ? rest : rest[..comma];
                v[i] = long.Parse(part, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
                rest = comma < 0 ? [] : rest[(comma + 1)..];
            }
            return new NpsCounts(v[0], v[1], v[2], v[3]);
        }
    }

    sealed class RespondentRow
    {
        public string AccountId { get; set; } = "";
        public long Respondents { get; set; }
    }

    sealed class EdgeRow
    {
        public string AccountId { get; set; } = "";
        public long Promoters { get; set; }
        public long Passives { get; set; }
        public long Detractors { get; set; }
    }
}

/// <summary>One account's answers of a range from the aggregates: respondents, its latest answer (time, name, ARR), counts and health counts.</summary>
internal sealed record AccountTotals(string AccountId, long LastAt, string? Name, string? Arr, long Respondents, NpsCounts Answers, HealthCounts Health)
{
    /// <summary>The same account in another survey: counts added, the name and ARR of the later answer.</summary>
    public AccountTotals Merge(AccountTotals other)
    {
        var latest = other.LastAt > LastAt ? other : this;
        return latest with
        {
            Respondents = Respondents + other.Respondents,
            Answers = Answers + other.Answers,
            Health = new HealthCounts(Health.Current + other.Health.Current, Health.Previous + other.Health.Previous),
        };
    }
}

/// <summary>Keeps <see cref="AccountAggregates"/>' tables in step with displays and responses, in the writer's transaction.</summary>
public sealed class AccountAggregateHook : IDisplayHook, IResponseHook
{
    public void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten display)
    {
        if (AccountAggregates.Of(c, tx, display).Account is { } account)
            AccountAggregates.Add(c, tx, display.SurveyId, account, display.ShownAt, new NpsCounts(1, 0, 0, 0), prune: false);
    }

    public void DisplayDeleted(DbConnection c, DbTransaction tx, DisplayWritten display)
    {
        if (AccountAggregates.Of(c, tx, display).Account is { } account)
            AccountAggregates.Add(c, tx, display.SurveyId, account, display.ShownAt, new NpsCounts(-1, 0, 0, 0), prune: true);
    }

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        var (account, name, arr) = AccountAggregates.Of(c, tx, response.Display);
        if (account is null)
            return;
        var surveyId = response.Display.SurveyId;
        if (response.Created)
        {
            AccountAggregates.Add(c, tx, surveyId, account, response.CreatedAt, Of(response.Category, 1), prune: false);
            AccountAggregates.SaveAnswer(c, tx, surveyId, account, response.Display.UserId, response.CreatedAt, name, arr);
            return;
        }
        // An update keeps the answer's time, display and user: only a change of category moves a count.
        if (response.PreviousCategory is not { } previous || QuestionKinds.RankOf(previous) == QuestionKinds.RankOf(response.Category))
            return;
        AccountAggregates.Add(c, tx, surveyId, account, response.CreatedAt, Of(response.Category, 1) + Of(previous, -1), prune: false);
    }

    /// <summary>
    /// An erasure (the only caller) removes every answer of the user, so the user's row of the account goes with the first;
    /// the counts leave the running totals, and a day left without activity loses its row.
    /// </summary>
    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (AccountAggregates.Of(c, tx, response.Display).Account is not { } account)
            return;
        var surveyId = response.Display.SurveyId;
        AccountAggregates.Add(c, tx, surveyId, account, response.CreatedAt, Of(response.Category, -1), prune: true);
        AccountAggregates.ForgetUser(c, tx, surveyId, account, response.Display.UserId);
    }

    static NpsCounts Of(string category, int delta) => QuestionKinds.RankOf(category) switch
    {
        2 => new NpsCounts(0, delta, 0, 0),
        1 => new NpsCounts(0, 0, delta, 0),
        0 => new NpsCounts(0, 0, 0, delta),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a category of any question kind."),
    };
}
