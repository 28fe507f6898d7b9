using Pulse.Api.Analytics;

namespace Pulse.Tests.Analytics;

public sealed class NpsMathTests
{
    [Test]
    public void Summarise_HundredAnswers_HalfPromotersFifthDetractors_IsThirtyPlusMinus15Point3()
    {
        var s = NpsMath.Summarise(new NpsCounts(Displays: 400, Promoters: 50, Passives: 30, Detractors: 20));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Nps, Is.EqualTo(30.0));
            Assert.That(s.MarginOfError, Is.EqualTo(15.3));
            Assert.That(s.Responses, Is.EqualTo(100));
            Assert.That(s.ResponseRate, Is.EqualTo(0.25));
            Assert.That(s.LowSample, Is.False);
        }
    }

    [Test]
    public void Summarise_NoResponses_HasNullNpsAndMarginAndIsLowSample()
    {
        var s = NpsMath.Summarise(new NpsCounts(Displays: 12, 0, 0, 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Nps, Is.Null);
            Assert.That(s.MarginOfError, Is.Null);
            Assert.That(s.ResponseRate, Is.Zero);
            Assert.That(s.LowSample, Is.True);
        }
    }

    [Test]
    public void ResponseRate_WithoutDisplays_IsNull() => Assert.That(NpsMath.ResponseRate(3, 0), Is.Null);

    [TestCase(10, 0, 0, 100.0, 0.0)]
    [TestCase(0, 0, 10, -100.0, 0.0)]
    [TestCase(0, 10, 0, 0.0, 0.0)]
    [TestCase(1, 1, 1, 0.0, 92.4)]       // p = d = 1/3: 196·√((2/3)/3) = 92.38
    [TestCase(2, 0, 1, 33.3, 106.7)]     // 33.33…, 196·√((1 − 1/9)/3) = 106.69
    [TestCase(45, 30, 25, 20.0, 15.9)]  // 196·√((0.70 − 0.04)/100) = 15.92
    public void KnownCases(int promoters, int passives, int detractors, double nps, double margin)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(NpsMath.Nps(promoters, passives, detractors), Is.EqualTo(nps));
            Assert.That(NpsMath.MarginOfError(promoters, passives, detractors), Is.EqualTo(margin));
        }
    }

    [TestCase(1, 79, 0, 1.3)]    // 1.25 rounds half away from zero
    [TestCase(0, 79, 1, -1.3)]   // and so does -1.25
    [TestCase(1, 7, 0, 12.5)]
    [TestCase(2, 1, 0, 66.7)]
    public void Nps_RoundsHalfAwayFromZeroToOneDecimal(int promoters, int passives, int detractors, double expected) =>
        Assert.That(NpsMath.Nps(promoters, passives, detractors), Is.EqualTo(expected));

    [Test]
    public void LowSample_IsBelowThirty()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(NpsMath.LowSample(29), Is.True);
            Assert.That(NpsMath.LowSample(30), Is.False);
        }
    }
}
