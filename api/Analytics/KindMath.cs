using System.Text.Json.Serialization;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>
/// The statistics of one slice of a CSAT or CES survey (docs/decisions.md, K4), rounded the way the
/// API shows them. <c>Score</c> is the kind's headline: CSAT the percentage of satisfied answers
/// (4–5), CES the mean score (1–7). <c>PercentPositive</c> is the percentage in the positive
/// category (satisfied, easy; for CSAT the same number as <c>Score</c>). Categories count the kind's
/// three categories, lowest first. Each margin is the half-width of a 95 % interval.
/// </summary>
public record KindStats
{
    public string Kind { get; init; } = "";
    public double? Score { get; init; }
    public double? MarginOfError { get; init; }
    public double? PercentPositive { get; init; }
    public double? PercentPositiveMarginOfError { get; init; }
    public IReadOnlyDictionary<string, long> Categories { get; init; } = new Dictionary<string, long>();
    public long Responses { get; init; }
    public long Displays { get; init; }
    public double? ResponseRate { get; init; }
    public bool LowSample { get; init; }
}

/// <summary><c>GET /v1/metrics/csat</c> and <c>/v1/metrics/ces</c>: the headline, its series and its segments, as <see cref="NpsReport"/>.</summary>
public sealed record KindReport : KindStats
{
    public KindReport() { }

    public KindReport(KindStats headline, IReadOnlyList<KindPoint>? series, IReadOnlyList<KindGroup>? groups) : base(headline)
    {
        Series = series;
        Groups = groups;
    }

    [JsonPropertyOrder(1)]
    public IReadOnlyList<KindPoint>? Series { get; init; }

    [JsonPropertyOrder(1)]
    public IReadOnlyList<KindGroup>? Groups { get; init; }

    /// <summary>The report of a kind from the NPS-shaped report of the same request (the same counts, read once).</summary>
    public static KindReport From(QuestionKind kind, NpsReport report) => new(
        KindMath.Summarise(kind, report.Counts),
        report.Series?.Select(p => new KindPoint(p.Start, KindMath.Summarise(kind, p.Counts))).ToList(),
        report.Groups?.Select(g => new KindGroup(g.Value, KindMath.Summarise(kind, g.Counts),
            g.Series?.Select(p => new KindPoint(p.Start, KindMath.Summarise(kind, p.Counts))).ToList(), g.BandFrom, g.BandTo)).ToList());
}

/// <summary>One point of a series of <see cref="KindReport"/>.</summary>
public sealed record KindPoint : KindStats
{
    public KindPoint() { }

    public KindPoint(string start, KindStats stats) : base(stats) => Start = start;

    [JsonPropertyOrder(-1)]
    public string Start { get; init; } = "";
}

/// <summary>One segment of <see cref="KindReport"/>, as <see cref="NpsGroup"/>.</summary>
public sealed record KindGroup : KindStats
{
    public KindGroup() { }

    public KindGroup(string value, KindStats stats, IReadOnlyList<KindPoint>? series, double? bandFrom, double? bandTo) : base(stats)
    {
        Value = value;
        Series = series;
        BandFrom = bandFrom;
        BandTo = bandTo;
    }

    [JsonPropertyOrder(-1)]
    public string Value { get; init; } = "";

    [JsonPropertyOrder(1)]
    public IReadOnlyList<KindPoint>? Series { get; init; }

    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandFrom { get; init; }

    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandTo { get; init; }
}

/// <summary>
/// CSAT and CES arithmetic with no I/O. A percentage p of n answers has the 95 % margin
/// 1.96 · 100 · √(p(1 − p)/n) (normal approximation, as NPS). The CES mean m of n scores has the
/// margin 1.96 · s/√n with the sample standard deviation s = √((Σx² − (Σx)²/n)/(n − 1)), none for one answer.
/// </summary>
public static class KindMath
{
    /// <summary>The statistics of a slice's counts (categories lowest first in Detractors, Passives, Promoters).</summary>
    public static KindStats Summarise(QuestionKind kind, NpsCounts c)
    {
        var n = c.Responses;
        var positive = Percent(c.Promoters, n);
        var positiveMargin = PercentMargin(c.Promoters, n);
        var isCes = kind.Name == QuestionKinds.CesName;
        return new KindStats
        {
            Kind = kind.Name,
            Score = isCes ? Mean(c.ScoreSum, n) : positive,
            MarginOfError = isCes ? MeanMargin(c.ScoreSum, c.ScoreSquares, n) : positiveMargin,
            PercentPositive = positive,
            PercentPositiveMarginOfError = positiveMargin,
            Categories = new Dictionary<string, long>
            {
                [kind.Negative] = c.Detractors,
                [kind.Middle] = c.Passives,
                [kind.Positive] = c.Promoters,
            },
            Responses = n,
            Displays = c.Displays,
            ResponseRate = NpsMath.ResponseRate(n, c.Displays),
            LowSample = NpsMath.LowSample(n),
        };
    }

    /// <summary>100 · part / n rounded half away from zero to 0.1; null without answers.</summary>
    public static double? Percent(long part, long n) =>
        n == 0 ? null : (double)Math.Round(100m * part / n, 1, MidpointRounding.AwayFromZero);

    /// <summary>The 95 % margin of a percentage, in points rounded to 0.1; null without answers.</summary>
    public static double? PercentMargin(long part, long n)
    {
        if (n == 0)
            return null;
        var p = (double)part / n;
        return Round(NpsMath.Z95 * 100 * Math.Sqrt(p * (1 - p) / n), 1);
    }

    /// <summary>The mean score rounded to 0.01; null without answers.</summary>
    public static double? Mean(long sum, long n) =>
        n == 0 ? null : (double)Math.Round((decimal)sum / n, 2, MidpointRounding.AwayFromZero);

    /// <summary>The 95 % margin of the mean rounded to 0.01; null below two answers.</summary>
    public static double? MeanMargin(long sum, long squares, long n)
    {
        if (n < 2)
            return null;
        var variance = Math.Max(0, (squares - (double)sum * sum / n) / (n - 1));
        return Round(NpsMath.Z95 * Math.Sqrt(variance / n), 2);
    }

    static double Round(double value, int digits) => (double)Math.Round((decimal)value, digits, MidpointRounding.AwayFromZero);
}
