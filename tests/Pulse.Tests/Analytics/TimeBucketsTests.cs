using Pulse.Api.Analytics;

namespace Pulse.Tests.Analytics;

public sealed class TimeBucketsTests
{
    static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    static readonly TimeZoneInfo Kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");

    static long Ms(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Test]
    public void Week_StartsOnIsoMonday_AndClipsTheEdges()
    {
        // 2026-01-01 is a Thursday; its ISO week began on Monday 2025-12-29.
        var buckets = TimeBuckets.Split(Ms("2026-01-01T00:00:00Z"), Ms("2026-01-13T00:00:00Z"), Interval.Week, TimeZoneInfo.Utc)!;

        Assert.That(buckets.Select(b => b.Start), Is.EqualTo(new[] { "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(buckets[0].From, Is.EqualTo(Ms("2026-01-01T00:00:00Z")));
            Assert.That(buckets[0].To, Is.EqualTo(Ms("2026-01-05T00:00:00Z")));
            Assert.That(buckets[2].To, Is.EqualTo(Ms("2026-01-13T00:00:00Z")));
        }
    }

    [Test]
    public void Month_AndQuarter_FollowTheCalendar()
    {
        var months = TimeBuckets.Split(Ms("2025-11-15T00:00:00Z"), Ms("2026-03-01T00:00:00Z"), Interval.Month, TimeZoneInfo.Utc)!;
        var quarters = TimeBuckets.Split(Ms("2025-08-01T00:00:00Z"), Ms("2026-04-01T00:00:00Z"), Interval.Quarter, TimeZoneInfo.Utc)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(months.Select(b => b.Start), Is.EqualTo(new[] { "2025-11-01T00:00:00Z", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" }));
            Assert.That(quarters.Select(b => b.Start), Is.EqualTo(new[] { "2025-07-01T00:00:00Z", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z" }));
            Assert.That(quarters[1].To, Is.EqualTo(Ms("2026-01-01T00:00:00Z")));
        }
    }

    [Test]
    public void Month_InBerlin_FollowsLocalMidnightAcrossDaylightSaving()
    {
        var buckets = TimeBuckets.Split(Ms("2026-02-28T23:00:00Z"), Ms("2026-04-30T22:00:00Z"), Interval.Month, Berlin)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(buckets.Select(b => b.Start), Is.EqualTo(new[] { "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00" }));
            Assert.That(buckets[1].From, Is.EqualTo(Ms("2026-03-31T22:00:00Z")));
        }
    }

    [Test]
    public void Day_AcrossASpringForward_IsTwentyThreeHoursLong()
    {
        var buckets = TimeBuckets.Split(Ms("2026-03-28T23:00:00Z"), Ms("2026-03-30T22:00:00Z"), Interval.Day, Berlin)!;

        Assert.That(buckets.Select(b => (b.To - b.From) / TimeBuckets.HourMs), Is.EqualTo(new[] { 23L, 24L }));
    }

    [Test]
    public void Plan_UtcMonths_ReadOnlyDays()
    {
        var buckets = TimeBuckets.Split(Ms("2026-01-01T00:00:00Z"), Ms("2026-04-01T00:00:00Z"), Interval.Month, TimeZoneInfo.Utc)!;

        var plan = TimeBuckets.Plan(buckets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.DayFrom, Is.EqualTo(Ms("2026-01-01T00:00:00Z") / TimeBuckets.DayMs));
            Assert.That(plan.DayTo, Is.EqualTo(Ms("2026-04-01T00:00:00Z") / TimeBuckets.DayMs));
            Assert.That(plan.Corrections, Is.Empty);
            Assert.That(plan.BucketOfDay(Ms("2026-01-31T12:00:00Z") / TimeBuckets.DayMs), Is.Zero);
            Assert.That(plan.BucketOfDay(Ms("2026-02-01T00:00:00Z") / TimeBuckets.DayMs), Is.EqualTo(1));
        }
    }

    [Test]
    public void Plan_Berlin_CorrectsOneHourAtEachMonthEdge()
    {
        var buckets = TimeBuckets.Split(Ms("2025-12-31T23:00:00Z"), Ms("2026-02-28T23:00:00Z"), Interval.Month, Berlin)!;

        var plan = TimeBuckets.Plan(buckets);

        Assert.That(plan.Corrections, Is.EqualTo(new[]
        {
            new Span(Ms("2025-12-31T23:00:00Z"), Ms("2026-01-01T00:00:00Z")),
            new Span(Ms("2026-01-31T23:00:00Z"), Ms("2026-02-01T00:00:00Z")),
            new Span(Ms("2026-02-28T23:00:00Z"), Ms("2026-03-01T00:00:00Z")),
        }));
    }

    [Test]
    public void Plan_HalfHourZone_CorrectsFiveAndAHalfHoursAtEachEdge_CountedPerMinute()
    {
        var buckets = TimeBuckets.Split(Ms("2025-12-31T18:30:00Z"), Ms("2026-02-28T18:30:00Z"), Interval.Month, Kolkata)!;

        var plan = TimeBuckets.Plan(buckets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Corrections.Select(c => c.To - c.From), Is.All.EqualTo(5.5 * TimeBuckets.HourMs));
            Assert.That(plan.Corrections, Has.Count.EqualTo(3));
            Assert.That(TimeBuckets.Grain(buckets), Is.EqualTo(60_000));
            Assert.That(buckets[1].Start, Is.EqualTo("2026-02-01T00:00:00+05:30"));
        }
    }

    [Test]
    public void Plan_OutsideTheCorrections_EveryInstantIsCountedInItsBucketByItsDay()
    {
        var from = Ms("2026-01-03T07:13:21.123Z");
        var to = Ms("2026-03-09T16:45:00.001Z");
        var random = new Random(42);
        foreach (var zone in new[] { TimeZoneInfo.Utc, Berlin, Kolkata, TimeZoneInfo.FindSystemTimeZoneById("America/St_Johns") })
        foreach (var interval in new Interval?[] { null, Interval.Day, Interval.Week, Interval.Month })
        {
            var buckets = TimeBuckets.Split(from, to, interval, zone)!;
            var plan = TimeBuckets.Plan(buckets);
            Assert.That(plan.Corrections.Max(c => c.To - c.From), Is.LessThanOrEqualTo(12 * TimeBuckets.HourMs));
            for (var i = 0; i < 20_000; i++)
            {
                var at = from - 2 * TimeBuckets.DayMs + (long)(random.NextDouble() * (to - from + 4 * TimeBuckets.DayMs));
                if (plan.Corrections.Any(c => at >= c.From && at < c.To))
                    continue;
                var exact = at >= from && at < to ? TimeBuckets.IndexOf(buckets, at) : -1;
                Assert.That(plan.BucketOfDay(TimeBuckets.FloorDiv(at, TimeBuckets.DayMs)), Is.EqualTo(exact), $"{zone.Id} {interval} {at}");
            }
        }
    }

    [Test]
    public void Split_TooManyPoints_IsNull() =>
        Assert.That(TimeBuckets.Split(0, TimeBuckets.DayMs * (TimeBuckets.MaxPoints + 1), Interval.Day, TimeZoneInfo.Utc), Is.Null);

    [Test]
    public void Split_EmptyRange_HasNoCountedTime()
    {
        var at = Ms("2026-01-10T00:00:00Z");
        var buckets = TimeBuckets.Split(at, at, Interval.Month, TimeZoneInfo.Utc)!;
        Assert.That(buckets.Sum(b => b.To - b.From), Is.Zero);
    }
}
