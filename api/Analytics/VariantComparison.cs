using System.Text.Json.Serialization;

namespace Pulse.Api.Analytics;

/// <summary>A difference between two variants (the variant minus the baseline) and its 95 % interval; nulls when either side has no data.</summary>
public sealed record Difference(double? Estimate, double? Low, double? High);

/// <summary>
/// One variant against the baseline (the variant whose key sorts first): the difference in NPS
/// (points) and in response rate (a fraction), each with its 95 % interval, and a verdict in plain words.
/// </summary>
public sealed record VariantComparison(string Baseline, string Variant, Difference Nps, Difference ResponseRate, string Verdict);

/// <summary>
/// The statistics of <c>groupBy=variant</c> (docs/decisions.md, L8). Each answer scores +1, 0 or −1,
/// so a variant's NPS is 100 · mean with variance p + d − (p − d)² per answer; two variants are
/// independent samples, so the difference of their NPS has standard error
/// 100 · √(v₁/n₁ + v₂/n₂) and the 95 % interval is ± 1.96 of it (normal approximation, the same
/// as the margin of error). The response rate is a proportion of displays: its difference has
/// standard error √(r₁(1 − r₁)/D₁ + r₂(1 − r₂)/D₂) (Wald). A difference is "detectable" when its
/// interval leaves out 0. Pure logic.
/// </summary>
public static class VariantStatistics
{
    const double Z95 = NpsMath.Z95;

    public static IReadOnlyList<VariantComparison> Compare(IReadOnlyList<NpsGroup> groups)
    {
        var ordered = groups.OrderBy(g => g.Value, StringComparer.Ordinal).ToList();
        if (ordered.Count < 2)
            return [];
        var baseline = ordered[0];
        return ordered.Skip(1).Select(v => Compare(baseline, v)).ToList();
    }

    public static VariantComparison Compare(NpsStats a, NpsStats b, string baselineKey, string variantKey)
    {
        var nps = NpsDifference(a, b);
        var rate = RateDifference(a, b);
        return new VariantComparison(baselineKey, variantKey, Round(nps, 1), Round(rate, 4), Verdict(nps, rate, variantKey, baselineKey));
    }

    static VariantComparison Compare(NpsGroup a, NpsGroup b) => Compare(a, b, a.Value, b.Value);

    /// <summary>NPS of b minus NPS of a, in points, with its 95 % interval (unrounded).</summary>
    public static (double Estimate, double Low, double High)? NpsDifference(NpsStats a, NpsStats b)
    {
        if (a.Responses == 0 || b.Responses == 0)
            return null;
        static (double Mean, double Variance) Of(NpsStats s)
        {
            var p = (double)s.Promoters / s.Responses;
            var d = (double)s.Detractors / s.Responses;
            return (p - d, NpsMath.ScoreVariance(p, d));
        }
        var (ma, va) = Of(a);
        var (mb, vb) = Of(b);
        var diff = 100 * (mb - ma);
        var se = 100 * Math.Sqrt(va / a.Responses + vb / b.Responses);
        return (diff, diff - Z95 * se, diff + Z95 * se);
    }

    /// <summary>Response rate of b minus that of a (fractions), with its 95 % interval (unrounded).</summary>
    public static (double Estimate, double Low, double High)? RateDifference(NpsStats a, NpsStats b)
    {
        if (a.Displays == 0 || b.Displays == 0)
            return null;
        var ra = Math.Min(1, (double)a.Responses / a.Displays);
        var rb = Math.Min(1, (double)b.Responses / b.Displays);
        var diff = rb - ra;
        var se = Math.Sqrt(ra * (1 - ra) / a.Displays + rb * (1 - rb) / b.Displays);
        return (diff, diff - Z95 * se, diff + Z95 * se);
    }

    /// <summary>"no detectable difference yet", "b scores higher than a", "b answers more often than a", or both joined.</summary>
    public static string Verdict((double Estimate, double Low, double High)? nps, (double Estimate, double Low, double High)? rate, string variant, string baseline)
    {
        if (nps is null && rate is null)
            return "not enough data yet";
        var found = new List<string>();
        if (nps is { } n && (n.Low > 0 || n.High < 0))
            found.Add(n.Low > 0 ? "scores higher" : "scores lower");
        if (rate is { } r && (r.Low > 0 || r.High < 0))
            found.Add(r.Low > 0 ? "answers more often" : "answers less often");
        return found.Count == 0 ? "no detectable difference yet" : $"{variant} {string.Join(" and ", found)} than {baseline}";
    }

    static Difference Round((double Estimate, double Low, double High)? d, int digits) => d is { } v
        ? new Difference(R(v.Estimate, digits), R(v.Low, digits), R(v.High, digits))
        : new Difference(null, null, null);

    static double R(double value, int digits) => (double)Math.Round((decimal)value, digits, MidpointRounding.AwayFromZero);
}
