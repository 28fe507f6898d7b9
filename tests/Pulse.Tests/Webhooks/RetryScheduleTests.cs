using Pulse.Api.Webhooks;

namespace Pulse.Tests.Webhooks;

public sealed class RetryScheduleTests
{
    /// <summary>From the first attempt to the last with the jitter at its middle (no jitter).</summary>
    static TimeSpan NominalSpan(int maxAttempts, TimeSpan baseDelay) =>
        Enumerable.Range(1, maxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, n) => sum + RetrySchedule.Delay(n, baseDelay, 0.5));

    [Test]
    public void DefaultSchedule_SpansAboutADay()
    {
        var options = new WebhookOptions();
        var span = NominalSpan(options.MaxAttempts, options.RetryBaseDelay);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(span, Is.InRange(TimeSpan.FromHours(20), TimeSpan.FromHours(28)));
            // With the jitter at either extreme it still ends within a day or so of the first attempt.
            Assert.That(span * (1 - RetrySchedule.Jitter), Is.GreaterThan(TimeSpan.FromHours(18)));
            Assert.That(span * (1 + RetrySchedule.Jitter), Is.LessThan(TimeSpan.FromHours(32)));
        }
    }

    [Test]
    public void Delay_DoublesWithEachFailure()
    {
        var b = TimeSpan.FromSeconds(90);
        var delays = Enumerable.Range(1, 10).Select(n => RetrySchedule.Delay(n, b, 0.5)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(delays[0], Is.EqualTo(b));
            for (var i = 1; i < delays.Count; i++)
                Assert.That(delays[i], Is.EqualTo(delays[i - 1] * 2));
            Assert.That(delays.Aggregate(TimeSpan.Zero, (a, d) => a + d), Is.EqualTo(b * 1023), "base × (2^10 − 1)");
        }
    }

    [TestCase(0.0, 0.8)]
    [TestCase(0.5, 1.0)]
    [TestCase(0.999999, 1.2)]
    public void Delay_JitterStaysWithinTwentyPercent(double random, double factor) =>
        Assert.That(RetrySchedule.Delay(3, TimeSpan.FromMinutes(1), random).TotalSeconds, Is.EqualTo(240 * factor).Within(0.01));

    [Test]
    public void Delay_HugeAttemptCount_DoesNotOverflow() =>
        Assert.That(RetrySchedule.Delay(1000, TimeSpan.FromSeconds(1), 0.5), Is.LessThan(TimeSpan.MaxValue));
}
