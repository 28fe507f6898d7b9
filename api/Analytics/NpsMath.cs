namespace Pulse.Api.Analytics;

/// <summary>
/// Counts of displays and of responses per category over some slice of time and segment, with the
/// sum of the scores and of their squares. The categories are the kind's, lowest in
/// <c>Detractors</c> (detractor, dissatisfied, difficult), highest in <c>Promoters</c> (promoter, satisfied, easy).
/// </summary>
public readonly record struct NpsCounts(long Displays, long Promoters, long Passives, long Detractors, long ScoreSum = 0, long ScoreSquares = 0)
{
    public long Responses => Promoters + Passives + Detractors;

    public static NpsCounts operator +(NpsCounts a, NpsCounts b) =>
        new(a.Displays + b.Displays, a.Promoters + b.Promoters, a.Passives + b.Passives, a.Detractors + b.Detractors,
            a.ScoreSum + b.ScoreSum, a.ScoreSquares + b.ScoreSquares);

    public static NpsCounts operator -(NpsCounts a) => new(-a.Displays, -a.Promoters, -a.Passives, -a.Detractors, -a.ScoreSum, -a.ScoreSquares);
}

/// <summary>
/// The statistics of one slice, rounded the way the API shows them: declared once here, and the
/// headline (<see cref="NpsReport"/>), a point of a series (<see cref="NpsPoint"/>) and a segment
/// (<see cref="NpsGroup"/>) are these fields plus their own (JSON keeps them flat).
/// </summary>
public record NpsStats
{
    public double? Nps { get; init; }
    public long Promoters { get; init; }
    public long Passives { get; init; }
    public long Detractors { get; init; }
    public long Responses { get; init; }
    public long Displays { get; init; }
    public double? ResponseRate { get; init; }
    public double? MarginOfError { get; init; }
    public bool LowSample { get; init; }

    /// <summary>The counts these statistics were computed from, for the reports of other kinds (<see cref="KindReport.From"/>); not in the JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public NpsCounts Counts { get; init; }
}

/// <summary>
/// NPS arithmetic with no I/O. NPS = %promoters − %detractors (−100…100). The 95 % margin of
/// error treats each answer as +1 (promoter), 0 (passive) or −1 (detractor): the variance of that
/// score is p + d − (p − d)², so the margin is 1.96 · 100 · √((p + d − (p − d)²) / n).
/// </summary>
public static class NpsMath
{
    /// <summary>Below this many responses the NPS is flagged <c>lowSample</c>.</summary>
    public const int LowSampleThreshold = 30;

    /// <summary>The normal quantile of every 95 % interval Pulse reports.</summary>
    public const double Z95 = 1.96;

    /// <summary>The variance of one answer scored +1 / 0 / −1, from the shares of promoters <paramref name="p"/> and detractors <paramref name="d"/>.</summary>
    public static double ScoreVariance(double p, double d) => Math.Max(0, p + d - (p - d) * (p - d));

    /// <summary>NPS rounded half away from zero to 0.1, or null when there are no responses.</summary>
    public static double? Nps(long promoters, long passives, long detractors)
    {
        var n = promoters + passives + detractors;
        if (n == 0)
            return null;
        // decimal keeps the rounding exact: 12.25 is 12.3, never 12.2 from a binary near-miss.
        return (double)Math.Round(100m * (promoters - detractors) / n, 1, MidpointRounding.AwayFromZero);
    }

    /// <summary>The 95 % margin of error in NPS points rounded to 0.1, or null when there are no responses.</summary>
    public static double? MarginOfError(long promoters, long passives, long detractors)
    {
        var n = promoters + passives + detractors;
        if (n == 0)
            return null;
        var p = (double)promoters / n;
        var d = (double)detractors / n;
        return Round1(Z95 * 100 * Math.Sqrt(ScoreVariance(p, d) / n));
    }

    /// <summary>Responses per display rounded to 0.0001, or null when nothing was displayed.</summary>
    public static double? ResponseRate(long responses, long displays) =>
        displays == 0 ? null : (double)Math.Round((decimal)responses / displays, 4, MidpointRounding.AwayFromZero);

    public static bool LowSample(long responses) => responses < LowSampleThreshold;

    public static NpsStats Summarise(NpsCounts c) => new()
    {
        Counts = c,
        Nps = Nps(c.Promoters, c.Passives, c.Detractors),
        Promoters = c.Promoters,
        Passives = c.Passives,
        Detractors = c.Detractors,
        Responses = c.Responses,
        Displays = c.Displays,
        ResponseRate = ResponseRate(c.Responses, c.Displays),
        MarginOfError = MarginOfError(c.Promoters, c.Passives, c.Detractors),
        LowSample = LowSample(c.Responses),
    };

    static double Round1(double value) => (double)Math.Round((decimal)value, 1, MidpointRounding.AwayFromZero);
}
