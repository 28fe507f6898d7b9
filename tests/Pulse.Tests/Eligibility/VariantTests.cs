using Pulse.Api.Analytics;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;

namespace Pulse.Tests.Eligibility;

/// <summary>Sticky A/B assignment and the statistics of comparing two variants.</summary>
public sealed class VariantTests
{
    static readonly Dictionary<string, TextOverrides> NoTexts = [];

    static IReadOnlyList<SurveyVariant> Weighted(params int[] weights) =>
        weights.Select((w, i) => new SurveyVariant(((char)('a' + i)).ToString(), w, NoTexts)).ToList();

    [Test]
    public void Assign_Over10000Users_FollowsTheWeightsWithin2Percent_AndIsSticky()
    {
        var variants = Weighted(20, 30, 50);
        var users = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();

        var first = users.ToDictionary(u => u, u => VariantAssignment.Assign("ws_1", "srv_1", u, variants)!);
        var again = users.ToDictionary(u => u, u => VariantAssignment.Assign("ws_1", "srv_1", u, variants)!);
        var shares = first.Values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count() / 10_000.0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(first), "the same user gets the same variant on every call");
            Assert.That(shares["a"], Is.EqualTo(0.20).Within(0.02));
            Assert.That(shares["b"], Is.EqualTo(0.30).Within(0.02));
            Assert.That(shares["c"], Is.EqualTo(0.50).Within(0.02));
        }
    }

    [Test]
    public void Assign_IsIndependentOfSampling_AndOfTheCycle()
    {
        var variants = Weighted(1, 1);
        var users = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();
        // The users a 30 % sample takes in this cycle: their variants still split by the weights.
        var sampled = users.Where(u => Sampling.Selected(30, Sampling.Bucket("ws_1", "srv_1", u, cycle: 7))).ToList();
        var shareOfA = sampled.Count(u => VariantAssignment.Assign("ws_1", "srv_1", u, variants) == "a") / (double)sampled.Count;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sampled.Count, Is.InRange(2_700, 3_300));
            Assert.That(shareOfA, Is.EqualTo(0.5).Within(0.03), "being sampled in says nothing about the variant");
            Assert.That(VariantAssignment.Assign("ws_1", "srv_2", "user-1", variants) is "a" or "b");
            Assert.That(users.Count(u => VariantAssignment.Assign("ws_1", "srv_1", u, variants) != VariantAssignment.Assign("ws_1", "srv_2", u, variants)),
                Is.InRange(4_500, 5_500), "each survey draws afresh");
            Assert.That(VariantAssignment.Assign("ws_1", "srv_1", "user-1", []), Is.Null);
        }
    }

    /// <summary>
    /// A known data set: a has 20 promoters, 15 passives and 15 detractors from 200 displays; b has
    /// 33, 17 and 10 from 150. The expected values are computed here from the answers themselves
    /// (+1/0/−1 each, mean and variance by definition), not with the formulas of the code.
    /// </summary>
    [Test]
    public void Compare_KnownDataSet_MatchesAnIndependentComputation()
    {
        int[] a = [.. Enumerable.Repeat(1, 20), .. Enumerable.Repeat(0, 15), .. Enumerable.Repeat(-1, 15)];
        int[] b = [.. Enumerable.Repeat(1, 33), .. Enumerable.Repeat(0, 17), .. Enumerable.Repeat(-1, 10)];
        static (double Mean, double Variance) Of(int[] x) => (x.Average(), x.Select(v => (v - x.Average()) * (v - x.Average())).Average());
        var (ma, va) = Of(a);
        var (mb, vb) = Of(b);
        var se = 100 * Math.Sqrt(va / a.Length + vb / b.Length);
        var npsDiff = 100 * (mb - ma);
        var (ra, rb) = (a.Length / 200.0, b.Length / 150.0);
        var rateSe = Math.Sqrt(ra * (1 - ra) / 200 + rb * (1 - rb) / 150);

        var statsA = NpsMath.Summarise(new NpsCounts(200, 20, 15, 15));
        var statsB = NpsMath.Summarise(new NpsCounts(150, 33, 17, 10));
        var comparison = VariantStatistics.Compare(statsA, statsB, "a", "b");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(comparison.Nps.Estimate, Is.EqualTo(npsDiff).Within(0.05));
            Assert.That(comparison.Nps.Low, Is.EqualTo(npsDiff - 1.96 * se).Within(0.05));
            Assert.That(comparison.Nps.High, Is.EqualTo(npsDiff + 1.96 * se).Within(0.05));
            Assert.That(comparison.Nps, Is.EqualTo(new Difference(28.3, -1.6, 58.2)), "the same numbers, worked out once by hand");
            Assert.That(comparison.ResponseRate.Estimate, Is.EqualTo(rb - ra).Within(0.00005));
            Assert.That(comparison.ResponseRate.Low, Is.EqualTo(rb - ra - 1.96 * rateSe).Within(0.00005));
            Assert.That(comparison.ResponseRate, Is.EqualTo(new Difference(0.15, 0.0513, 0.2487)));
            Assert.That(comparison.Verdict, Is.EqualTo("b answers more often than a"), "the NPS interval holds 0; the rate's does not");
        }
    }

    [TestCase(100, 10, 10, 10, 100, 10, "no detectable difference yet")]
    [TestCase(100, 80, 10, 10, 100, 10, "b scores lower and answers less often than a")]
    [TestCase(100, 10, 10, 15, 100, 0, "b scores higher than a")]
    public void Verdict_SaysWhatTheIntervalsShow(int displaysA, int promotersA, int detractorsA, int promotersB, int displaysB, int detractorsB, string expected)
    {
        var a = NpsMath.Summarise(new NpsCounts(displaysA, promotersA, 0, detractorsA));
        var b = NpsMath.Summarise(new NpsCounts(displaysB, promotersB, 0, detractorsB));
        Assert.That(VariantStatistics.Compare(a, b, "a", "b").Verdict, Is.EqualTo(expected));
    }

    [Test]
    public void Compare_WithoutResponses_SaysNotEnoughData()
    {
        var empty = NpsMath.Summarise(default);
        var comparison = VariantStatistics.Compare(empty, empty, "a", "b");
        Assert.That((comparison.Verdict, comparison.Nps), Is.EqualTo(("not enough data yet", new Difference(null, null, null))));
    }

    [Test]
    public void Compare_Groups_UseTheFirstKeyAsBaseline()
    {
        var groups = new[] { "c", "a", "b" }.Select(k => new NpsGroup(k, NpsMath.Summarise(new NpsCounts(10, 5, 0, 5)), null)).ToList();
        Assert.That(VariantStatistics.Compare(groups).Select(c => (c.Baseline, c.Variant)), Is.EqualTo(new[] { ("a", "b"), ("a", "c") }));
    }
}
