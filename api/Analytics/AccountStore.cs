using System.Globalization;
using System.Text.Json;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>A checked <c>GET /v1/accounts</c> request.</summary>
public sealed record AccountQuery(
    IReadOnlyList<string> SurveyIds,
    long From,
    long To,
    IReadOnlyDictionary<string, string> Where,
    double? ArrThreshold,
    double NpsThreshold,
    string? Quadrant,
    string Sort,
    bool Descending,
    int Limit,
    string WorkspaceId = "",
    string? Band = null,
    long Now = 0);

/// <summary>
/// NPS per account (trait <c>accountId</c> of the display snapshot) with respondents, ARR and the
/// ARR × NPS quadrant, from the accounts aggregates when they answer exactly (<see cref="AccountAggregates"/>, decisions AC1–AC4).
/// Otherwise counts the range's responses once, grouped by account in SQLite; the name
/// and ARR are those of each account's latest response in the range. Each account's health comes
/// from the daily aggregates of the 180 days before now, whatever the range (<see cref="AccountHealthMath"/>).
/// </summary>
public sealed class AccountStore(Db db, IAccountHealthSource healthSource, SurveyKinds kinds)
{
    public const string Champion = "champion";
    public const string AtRisk = "at_risk";
    public const string Grow = "grow";
    public const string Monitor = "monitor";

    public static readonly IReadOnlyList<string> Quadrants = [Champion, AtRisk, Grow, Monitor];
    public static readonly IReadOnlyList<string> SortKeys = ["arr", "nps", "respondents", "responses", "health", "accountId", "accountName"];

    // The name and ARR of each account's latest response: with exactly one max() aggregate SQLite takes the
    // bare columns from the row that holds the max; PostgreSQL aggregates them (SqlDialect.OfLatest).
    static readonly string[] PerAccount = [PerAccountIn(SqlDialect.Sqlite), PerAccountIn(SqlDialect.Postgres)];

    static string PerAccountIn(SqlDialect dialect) => $"""
        SELECT account AS AccountId, max(at) AS LastAt, {dialect.OfLatest("name", "at")} AS AccountName, {dialect.OfLatest("arr", "at")} AS Arr,
               count(DISTINCT user_id) AS Respondents,
               count(CASE WHEN category = 'promoter' THEN 1 END) AS Promoters, count(CASE WHEN category = 'passive' THEN 1 END) AS Passives, count(CASE WHEN category = 'detractor' THEN 1 END) AS Detractors
        FROM (
            SELECT {TraitSql.ValueAt("'$.\"accountId\"'")} AS account, {TraitSql.ValueAt("'$.\"accountName\"'")} AS name,
                   {TraitSql.ValueAt("'$.\"arr\"'")} AS arr, r.created_at AS at, r.user_id, r.category
            FROM responses r JOIN displays d ON d.id = r.display_id
            WHERE r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To AND {TraitSql.MatchesFilters}
        ) AS answers
        WHERE account IS NOT NULL
        GROUP BY account
        """;

    /// <summary>
    /// The accounts of the query: from the accounts aggregates when they answer it exactly (<see cref="AccountAggregates.Read"/>),
    /// else — or when <paramref name="aggregates"/> is false, as the tests compare — from raw rows and the daily aggregates.
    /// </summary>
    public AccountList List(AccountQuery q, bool aggregates = true)
    {
        using var c = db.OpenForScans();
        var settings = healthSource.Settings(q.WorkspaceId);
        var overdue = healthSource.OverdueDetractorFollowUps(q.WorkspaceId, q.SurveyIds, q.Now);
        List<AccountRow> rows;
        IReadOnlyDictionary<string, AccountHealth> health;
        if (aggregates && FromAggregates(c, q) is { } totals)
        {
            rows = totals.Select(AccountRow.Of).ToList();
            health = totals.ToDictionary(t => t.AccountId, t => AccountHealthMath.Of(t.Health, overdue.GetValueOrDefault(t.AccountId), settings), StringComparer.Ordinal);
        }
        else
        {
            rows = c.Query<AccountRow>(c.Sql(PerAccount[db.IsSqlite ? 0 : 1]), new { q.SurveyIds, q.From, q.To, Filters = JsonSerializer.Serialize(q.Where) }).ToList();
            health = AccountHealthMath.Compute(c, q.SurveyIds, settings, overdue, q.Now);
        }
        var arrThreshold = q.ArrThreshold ?? Median(rows.Select(r => r.ArrValue).OfType<double>());
        var items = rows.Select(r =>
        {
            var nps = NpsMath.Nps(r.Promoters, r.Passives, r.Detractors);
            var arr = r.ArrValue;
            return new AccountItem(r.AccountId, r.AccountName, nps, r.Respondents, arr,
                QuadrantOf(arr, nps, arrThreshold, q.NpsThreshold),
                r.Promoters + r.Passives + r.Detractors, r.Promoters, r.Passives, r.Detractors,
                NpsMath.MarginOfError(r.Promoters, r.Passives, r.Detractors), NpsMath.LowSample(r.Promoters + r.Passives + r.Detractors),
                health.GetValueOrDefault(r.AccountId) ?? AccountHealthMath.Of(NoCounts, 0, settings));
        });
        if (q.Quadrant is not null)
            items = items.Where(i => i.Quadrant == q.Quadrant);
        if (q.Band is not null)
            items = items.Where(i => i.Health.Band == q.Band);
        return new AccountList(Sorted(items, q.Sort, q.Descending).Take(q.Limit).ToList(), arrThreshold, q.NpsThreshold);
    }

    /// <summary>The accounts from the aggregates, or null when they cannot answer exactly (decisions AC2).</summary>
    internal List<AccountTotals>? FromAggregates(System.Data.Common.DbConnection c, AccountQuery q) =>
        AccountAggregates.Read(c, q, q.SurveyIds.All(id => kinds.Of(id).Name is QuestionKinds.NpsName or QuestionKinds.EnpsName));

    /// <summary>
    /// high ARR and high NPS: champion; high ARR, low NPS: at_risk; low ARR, high NPS: grow;
    /// low ARR, low NPS: monitor. "High" means at or above the threshold. Null without NPS or ARR.
    /// </summary>
    public static string? QuadrantOf(double? arr, double? nps, double? arrThreshold, double npsThreshold)
    {
        if (arr is not { } a || nps is not { } n || arrThreshold is not { } t)
            return null;
        return (a >= t, n >= npsThreshold) switch
        {
            (true, true) => Champion,
            (true, false) => AtRisk,
            (false, true) => Grow,
            _ => Monitor,
        };
    }

    /// <summary>The median, or null for no values: the default ARR threshold splits the accounts in halves.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            return null;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static IEnumerable<AccountItem> Sorted(IEnumerable<AccountItem> items, string sort, bool descending)
    {
        // Accounts without the sorted value go last either way; ties break on the account id.
        IOrderedEnumerable<AccountItem> ordered = sort switch
        {
            "nps" => By(items, i => i.Nps, descending),
            "respondents" => By(items, i => (double?)i.Respondents, descending),
            "responses" => By(items, i => (double?)i.Responses, descending),
            "health" => By(items, i => (double?)i.Health.Score, descending),
            "accountId" => descending ? items.OrderByDescending(i => i.AccountId, StringComparer.Ordinal) : items.OrderBy(i => i.AccountId, StringComparer.Ordinal),
            "accountName" => descending
                ? items.OrderBy(i => i.AccountName is null).ThenByDescending(i => i.AccountName, StringComparer.OrdinalIgnoreCase)
                : items.OrderBy(i => i.AccountName is null).ThenBy(i => i.AccountName, StringComparer.OrdinalIgnoreCase),
            _ => By(items, i => i.Arr, descending),
        };
        return ordered.ThenBy(i => i.AccountId, StringComparer.Ordinal);
    }

    static IOrderedEnumerable<AccountItem> By(IEnumerable<AccountItem> items, Func<AccountItem, double?> key, bool descending)
    {
        var withNullsLast = items.OrderBy(i => key(i) is null);
        return descending ? withNullsLast.ThenByDescending(key) : withNullsLast.ThenBy(key);
    }

    static readonly HealthCounts NoCounts = new(default, default);

    sealed class AccountRow
    {
        public string AccountId { get; set; } = "";
        public long LastAt { get; set; }
        public string? AccountName { get; set; }
        public string? Arr { get; set; }
        public long Respondents { get; set; }
        public long Promoters { get; set; }
        public long Passives { get; set; }
        public long Detractors { get; set; }

        public static AccountRow Of(AccountTotals t) => new()
        {
            AccountId = t.AccountId,
            LastAt = t.LastAt,
            AccountName = t.Name,
            Arr = t.Arr,
            Respondents = t.Respondents,
            Promoters = t.Answers.Promoters,
            Passives = t.Answers.Passives,
            Detractors = t.Answers.Detractors,
        };

        public double? ArrValue =>
            double.TryParse(Arr, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
    }
}
