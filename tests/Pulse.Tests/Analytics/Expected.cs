using Pulse.Api.Analytics;

namespace Pulse.Tests.Analytics;

/// <summary>
/// What the API should answer, computed straight from the generated showings with LINQ — no
/// aggregate tables, no bucket planner — so the comparison checks the whole read path.
/// </summary>
public static class Expected
{
    public sealed record Counts(long Displays, long Promoters, long Passives, long Detractors)
    {
        public long Responses => Promoters + Passives + Detractors;

        public double? Nps => Responses == 0 ? null
            : (double)Math.Round(100m * (Promoters - Detractors) / Responses, 1, MidpointRounding.AwayFromZero);

        public double? MarginOfError
        {
            get
            {
                if (Responses == 0)
                    return null;
                double n = Responses, p = Promoters / n, d = Detractors / n;
                return (double)Math.Round((decimal)(196 * Math.Sqrt((p + d - (p - d) * (p - d)) / n)), 1, MidpointRounding.AwayFromZero);
            }
        }
    }

    public static Counts Count(IEnumerable<Seeded> rows, long from, long to, Func<Seeded, bool> match, Func<long, bool>? inBucket = null)
    {
        inBucket ??= _ => true;
        var list = rows.Where(match).ToList();
        var answered = list.Where(r => r.AnsweredAt is { } at && at >= from && at < to && inBucket(at)).ToList();
        return new Counts(
            list.LongCount(r => r.ShownAt >= from && r.ShownAt < to && inBucket(r.ShownAt)),
            answered.LongCount(r => r.Category == "promoter"),
            answered.LongCount(r => r.Category == "passive"),
            answered.LongCount(r => r.Category == "detractor"));
    }

    /// <summary>The local date (yyyy-MM-dd) on which the period holding <paramref name="instant"/> starts.</summary>
    public static string PeriodStart(long instant, string interval, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(instant), zone).Date;
        var start = interval switch
        {
            "day" => local,
            "week" => local.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
            "month" => new DateTime(local.Year, local.Month, 1),
            "quarter" => new DateTime(local.Year, (local.Month - 1) / 3 * 3 + 1, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(interval)),
        };
        return start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The trait value as a segment: strings as they are, numbers in invariant digits.</summary>
    public static string? Trait(Seeded row, string key) =>
        row.Showing.User.Traits().TryGetValue(key, out var v)
            ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public static void AssertSame(Counts expected, long displays, long promoters, long passives, long detractors, long responses,
        double? nps, double? margin, double? rate, bool lowSample, string what)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(displays, Is.EqualTo(expected.Displays), what + " displays");
            Assert.That(promoters, Is.EqualTo(expected.Promoters), what + " promoters");
            Assert.That(passives, Is.EqualTo(expected.Passives), what + " passives");
            Assert.That(detractors, Is.EqualTo(expected.Detractors), what + " detractors");
            Assert.That(responses, Is.EqualTo(expected.Responses), what + " responses");
            Assert.That(nps, Is.EqualTo(expected.Nps), what + " nps");
            Assert.That(margin, Is.EqualTo(expected.MarginOfError), what + " marginOfError");
            Assert.That(rate, Is.EqualTo(expected.Displays == 0 ? null
                : (double)Math.Round((decimal)expected.Responses / expected.Displays, 4, MidpointRounding.AwayFromZero)), what + " responseRate");
            Assert.That(lowSample, Is.EqualTo(expected.Responses < 30), what + " lowSample");
        }
    }

    /// <summary>The headline, a point or a group: each is an <see cref="NpsStats"/>.</summary>
    public static void AssertSame(Counts expected, NpsStats r, string what) =>
        AssertSame(expected, r.Displays, r.Promoters, r.Passives, r.Detractors, r.Responses, r.Nps, r.MarginOfError, r.ResponseRate, r.LowSample, what);

    /// <summary>Each point of a series equals the count of the rows in its period of <paramref name="interval"/> in <paramref name="zone"/>.</summary>
    public static void AssertSeries(IReadOnlyList<Seeded> rows, IReadOnlyList<NpsPoint> series, Func<Seeded, bool> match, long from, long to, string interval, TimeZoneInfo zone, string what)
    {
        var labels = series.Select(p => p.Start[..10]).ToList();
        Assert.That(labels, Is.Unique.And.Ordered, what);
        Assert.That(PeriodStart(from, interval, zone), Is.EqualTo(labels[0]), what + " first period");
        Assert.That(PeriodStart(to - 1, interval, zone), Is.EqualTo(labels[^1]), what + " last period");
        foreach (var point in series)
        {
            var label = point.Start[..10];
            var expected = Count(rows, from, to, match, at => PeriodStart(at, interval, zone) == label);
            AssertSame(expected, point, $"{what} {point.Start}");
            var start = DateTimeOffset.Parse(point.Start, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(start.Offset, Is.EqualTo(zone.GetUtcOffset(start)), $"{what} {point.Start} offset");
        }
    }
}
