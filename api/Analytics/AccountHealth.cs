using System.Data.Common;
using Dapper;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>
/// A workspace's account-health formula (docs/decisions.md F4-2): the weight of each part and how
/// the score falls into bands. Kept with the follow-up settings, read through <see cref="IAccountHealthSource"/>.
/// </summary>
public sealed record AccountHealthSettings(
    int NpsWeight = 50,
    int TrendWeight = 20,
    int ResponseRateWeight = 10,
    int OverdueWeight = 20,
    int OverduePenalty = 25,
    int HealthyMin = 70,
    int WatchMin = 40,
    int MinResponses = 5)
{
    public static readonly AccountHealthSettings Defaults = new();
}

/// <summary>
/// What account health needs from the follow-ups, declared here and implemented by FollowUps so
/// that Analytics does not depend on it (folders depend one way).
/// </summary>
public interface IAccountHealthSource
{
    /// <summary>The workspace's health formula (the defaults when it has none saved).</summary>
    AccountHealthSettings Settings(string workspaceId);

    /// <summary>Per account (trait <c>accountId</c> of the answer's display), its detractors' follow-ups not closed and past their due date at <paramref name="now"/>.</summary>
    IReadOnlyDictionary<string, long> OverdueDetractorFollowUps(string workspaceId, IReadOnlyList<string> surveyIds, long now);
}

/// <summary>One part of the score: its value, the points (0–100) it gives and its weight; no value leaves it out.</summary>
public sealed record HealthPart(double? Value, double? Points, int Weight);

/// <summary>The parts of an account's health score.</summary>
public sealed record HealthParts(
    HealthPart Nps,
    HealthPart Trend,
    HealthPart ResponseRate,
    HealthPart OverdueFollowUps,
    long Responses,
    long PreviousResponses,
    long Displays);

/// <summary>An account's health: score 0–100 (null without answers in the last 90 days), band, and every part.</summary>
public sealed record AccountHealth(
    int? Score,
    string? Band,
    bool LowSample,
    HealthParts Parts);

/// <summary>
/// Account health from the daily aggregates: per account, the answers and displays of the last 90
/// UTC days (today included) and of the 90 before, read from <c>nps_daily</c> rows of the trait
/// <c>accountId</c> — no raw answer is read — plus the overdue detractor follow-ups.
/// </summary>
public static class AccountHealthMath
{
    public const string Healthy = "healthy";
    public const string Watch = "watch";
    public const string AtRisk = "at_risk";
    public const int WindowDays = 90;

    public static readonly IReadOnlyList<string> Bands = [Healthy, Watch, AtRisk];

    const string PerAccount = """
        SELECT trait_value AS AccountId,
               sum(CASE WHEN day > @Cut THEN displays ELSE 0 END) AS Displays,
               sum(CASE WHEN day > @Cut THEN promoters ELSE 0 END) AS Promoters,
               sum(CASE WHEN day > @Cut THEN passives ELSE 0 END) AS Passives,
               sum(CASE WHEN day > @Cut THEN detractors ELSE 0 END) AS Detractors,
               sum(CASE WHEN day <= @Cut THEN promoters ELSE 0 END) AS PreviousPromoters,
               sum(CASE WHEN day <= @Cut THEN passives ELSE 0 END) AS PreviousPassives,
               sum(CASE WHEN day <= @Cut THEN detractors ELSE 0 END) AS PreviousDetractors
        FROM nps_daily
        WHERE survey_id IN @SurveyIds AND trait_key = 'accountId' AND day > @Start AND day <= @Today
        GROUP BY trait_value
        """;

    /// <summary>The health of every account with aggregates in the last 180 days, at <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<string, AccountHealth> Compute(DbConnection c, IReadOnlyList<string> surveyIds,
        AccountHealthSettings settings, IReadOnlyDictionary<string, long> overdue, long now)
    {
        var today = TimeBuckets.FloorDiv(now, TimeBuckets.DayMs);
        var rows = c.Query<Row>(c.Sql(PerAccount), new { SurveyIds = surveyIds, Today = today, Cut = today - WindowDays, Start = today - 2 * WindowDays });
        return rows.ToDictionary(r => r.AccountId, r => Of(r.Counts(), overdue.GetValueOrDefault(r.AccountId), settings), StringComparer.Ordinal);
    }

    /// <summary>The score of one account's counts (docs/decisions.md F4-2).</summary>
    public static AccountHealth Of(HealthCounts counts, long overdue, AccountHealthSettings s)
    {
        var (n, p) = (counts.Current, counts.Previous);
        var responses = n.Responses;
        var previous = p.Responses;
        var nps = NpsMath.Nps(n.Promoters, n.Passives, n.Detractors);
        var previousNps = NpsMath.Nps(p.Promoters, p.Passives, p.Detractors);
        double? trend = nps is { } now && previousNps is { } before ? now - before : null;
        double? rate = n.Displays > 0 ? Math.Min(1.0, (double)responses / n.Displays) : null;
        var parts = new HealthParts(
            new HealthPart(nps, Points(nps is { } v ? (v + 100) / 2 : null), s.NpsWeight),
            new HealthPart(trend, Points(trend is { } t ? Math.Clamp(50 + t, 0, 100) : null), s.TrendWeight),
            new HealthPart(Round(rate, 3), Points(rate is { } r ? r * 100 : null), s.ResponseRateWeight),
            new HealthPart(overdue, Points(Math.Max(0, 100 - (double)s.OverduePenalty * overdue)), s.OverdueWeight),
            responses, previous, n.Displays);
        var lowSample = responses < s.MinResponses;
        HealthPart[] all = [parts.Nps, parts.Trend, parts.ResponseRate, parts.OverdueFollowUps];
        var weight = all.Where(x => x.Points is not null).Sum(x => x.Weight);
        if (nps is null || weight == 0)
            return new AccountHealth(null, null, lowSample, parts);
        var score = (int)Math.Round(all.Where(x => x.Points is not null).Sum(x => x.Weight * x.Points!.Value) / weight, MidpointRounding.AwayFromZero);
        var band = score >= s.HealthyMin ? Healthy : score >= s.WatchMin ? Watch : AtRisk;
        // A few answers are not evidence enough to call an account at risk.
        if (lowSample && band == AtRisk)
            band = Watch;
        return new AccountHealth(score, band, lowSample, parts);
    }

    /// <summary>Points are shown and summed rounded half away from zero to 0.1.</summary>
    static double? Points(double? points) => Round(points, 1);

    static double? Round(double? value, int digits) =>
        value is { } v ? (double)Math.Round((decimal)v, digits, MidpointRounding.AwayFromZero) : null;

    // Settable properties, not a constructor: on no rows SQLite types the sums as blobs, which no constructor matches.
    sealed class Row
    {
        public string AccountId { get; set; } = "";
        public long Displays { get; set; }
        public long Promoters { get; set; }
        public long Passives { get; set; }
        public long Detractors { get; set; }
        public long PreviousPromoters { get; set; }
        public long PreviousPassives { get; set; }
        public long PreviousDetractors { get; set; }

        public HealthCounts Counts() => new(new NpsCounts(Displays, Promoters, Passives, Detractors),
            new NpsCounts(0, PreviousPromoters, PreviousPassives, PreviousDetractors));
    }
}

/// <summary>An account's counts: the last 90 days (displays and answers) and the 90 before (answers).</summary>
public sealed record HealthCounts(NpsCounts Current, NpsCounts Previous);
