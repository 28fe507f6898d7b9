using System.Globalization;

namespace Pulse.Api.Analytics;

/// <summary>The width of a series point.</summary>
public enum Interval { Day, Week, Month, Quarter }

/// <summary>
/// One series point: the instants <c>[From, To)</c> it counts (Unix ms, clipped to the query's
/// range) and the local start of its calendar period, written with the zone's offset
/// (<c>Z</c> for UTC).
/// </summary>
public sealed record Bucket(string Start, long From, long To);

/// <summary>A half-open range of integers: days, hours or milliseconds since the Unix epoch.</summary>
public readonly record struct Span(long From, long To);

/// <summary>A range as whole UTC days, whole hours and parts of hours (ms); see <see cref="TimeBuckets.Cover"/>.</summary>
public sealed record RangeCover(Span Days, IReadOnlyList<Span> Hours, IReadOnlyList<Span> Parts)
{
    /// <summary>
    /// What to read for the cover: the day rows, the hour rows, and for each part of an hour either its raw rows or —
    /// when it is over half an hour and starts or ends on the hour — the hour's row less the raw rows of the rest of
    /// the hour (decision Q2: the default range ends now, and the rest of the current hour is still empty).
    /// </summary>
    public IEnumerable<CoverRead> Reads()
    {
        if (Days.From < Days.To)
            yield return new CoverRead(CoverUnit.Day, Days);
        foreach (var hours in Hours)
            yield return new CoverRead(CoverUnit.Hour, hours);
        foreach (var part in Parts)
        {
            var hour = TimeBuckets.FloorDiv(part.From, TimeBuckets.HourMs);
            var (start, end) = (hour * TimeBuckets.HourMs, (hour + 1) * TimeBuckets.HourMs);
            if (part.To - part.From > TimeBuckets.HourMs / 2 && (part.From == start || part.To == end))
            {
                yield return new CoverRead(CoverUnit.Hour, new Span(hour, hour + 1));
                yield return new CoverRead(CoverUnit.Raw, part.From == start ? new Span(part.To, end) : new Span(start, part.From), Subtract: true);
            }
            else
                yield return new CoverRead(CoverUnit.Raw, part);
        }
    }
}

/// <summary>What a <see cref="CoverRead"/> reads: day rows, hour rows, or raw rows (milliseconds).</summary>
public enum CoverUnit
{
    Day,
    Hour,
    Raw,
}

/// <summary>One read of a <see cref="RangeCover"/>: the rows of <paramref name="Span"/> in <paramref name="Unit"/>, added or taken away.</summary>
public readonly record struct CoverRead(CoverUnit Unit, Span Span, bool Subtract = false);

/// <summary>
/// How to read a query's buckets from per-UTC-day aggregates. Each bucket's edges are rounded to
/// the nearest UTC midnight: day rows of <c>[DayFrom, DayTo)</c> count in the bucket whose rounded
/// range holds them. Between each exact edge and its rounded midnight lie the
/// <see cref="Corrections"/> (at most 12 hours each; one hour in Berlin, none in UTC): rows there
/// are read finer — hourly aggregates or raw rows — and moved from the bucket their day was counted
/// in to the bucket they belong to. Any time zone, half-hour ones included, and any
/// <c>from</c>/<c>to</c> are exact.
/// </summary>
public sealed record ReadPlan(long DayFrom, long DayTo, long[] DayStarts, IReadOnlyList<Span> Corrections)
{
    /// <summary>The bucket a day row was counted in, or -1 when the day is outside the rounded range.</summary>
    public int BucketOfDay(long day)
    {
        if (day < DayFrom || day >= DayTo)
            return -1;
        int lo = 0, hi = DayStarts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (DayStarts[mid] <= day)
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    }
}

/// <summary>Calendar arithmetic for series: buckets in a time zone, and how to read them. Pure.</summary>
public static class TimeBuckets
{
    public const long HourMs = 3_600_000;
    public const long DayMs = 86_400_000;

    /// <summary>The most series points one request may ask for.</summary>
    public const int MaxPoints = 2000;

    public static bool TryParseInterval(string? text, out Interval interval)
    {
        switch (text)
        {
            case "day": interval = Interval.Day; return true;
            case "week": interval = Interval.Week; return true;
            case "month": interval = Interval.Month; return true;
            case "quarter": interval = Interval.Quarter; return true;
            default: interval = default; return false;
        }
    }

    /// <summary>
    /// The buckets of <c>[from, to)</c>: one when <paramref name="interval"/> is null, else one per
    /// calendar day, ISO week (Monday), month or quarter in <paramref name="zone"/>, the first and
    /// last clipped to the range. Returns null when there would be more than <see cref="MaxPoints"/>.
    /// </summary>
    public static IReadOnlyList<Bucket>? Split(long from, long to, Interval? interval, TimeZoneInfo zone)
    {
        if (interval is not { } step)
            return [new Bucket(Format(from, zone), from, to)];
        var buckets = new List<Bucket>();
        var local = PeriodStart(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(from), zone).DateTime, step);
        var start = ToUtcMs(local, zone);
        while (start < to)
        {
            var nextLocal = Next(local, step);
            var next = ToUtcMs(nextLocal, zone);
            if (next > from)
            {
                if (buckets.Count == MaxPoints)
                    return null;
                buckets.Add(new Bucket(Format(start, zone), Math.Max(start, from), Math.Min(next, to)));
            }
            local = nextLocal;
            start = next;
        }
        return buckets;
    }

    /// <summary>The days to read and the corrections at the buckets' edges (see <see cref="ReadPlan"/>).</summary>
    public static ReadPlan Plan(IReadOnlyList<Bucket> buckets)
    {
        var starts = buckets.Select(b => NearestDay(b.From)).ToArray();
        var dayTo = NearestDay(buckets[^1].To);
        var spans = buckets.Select(b => b.From).Append(buckets[^1].To)
            .Select(edge => (Edge: edge, Midnight: NearestDay(edge) * DayMs))
            .Where(e => e.Edge != e.Midnight)
            .Select(e => new Span(Math.Min(e.Edge, e.Midnight), Math.Max(e.Edge, e.Midnight)))
            .OrderBy(s => s.From);
        var merged = new List<Span>();
        foreach (var span in spans)
        {
            if (merged.Count > 0 && span.From <= merged[^1].To)
                merged[^1] = merged[^1] with { To = Math.Max(merged[^1].To, span.To) };
            else
                merged.Add(span);
        }
        return new ReadPlan(starts[0], dayTo, starts, merged);
    }

    /// <summary>The UTC day whose midnight is nearest to <paramref name="instant"/> (the earlier one at noon).</summary>
    public static long NearestDay(long instant) => FloorDiv(instant + DayMs / 2 - 1, DayMs);

    /// <summary>
    /// The coarsest unit (ms) that every bucket edge, <c>from</c> and <c>to</c> included, is a
    /// multiple of: raw rows can then be counted per unit and still land in the right bucket.
    /// </summary>
    public static long Grain(IReadOnlyList<Bucket> buckets)
    {
        long grain = HourMs;
        foreach (var edge in buckets.Select(b => b.From).Append(buckets[^1].To))
        {
            while (grain > 1 && Mod(edge, grain) != 0)
                grain = grain switch { HourMs => 60_000, 60_000 => 1000, _ => 1 };
        }
        return grain;
    }

    /// <summary>The index of the bucket that holds <paramref name="instant"/> (the first or last when outside).</summary>
    public static int IndexOf(IReadOnlyList<Bucket> buckets, long instant)
    {
        int lo = 0, hi = buckets.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (buckets[mid].From <= instant)
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    }

    /// <summary>
    /// The UTC instant a local wall-clock time names. A local time skipped by a DST change
    /// (some zones skip midnight) means the first instant after the gap; a repeated one means
    /// its first occurrence, so a local day always starts at its earliest instant.
    /// </summary>
    public static long ToUtcMs(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var guard = 0;
        while (zone.IsInvalidTime(local) && guard++ < 48 * 60)
            local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUnixTimeMilliseconds();
    }

    static DateTime PeriodStart(DateTime local, Interval step)
    {
        var date = local.Date;
        return step switch
        {
            Interval.Day => date,
            Interval.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
            Interval.Month => new DateTime(date.Year, date.Month, 1),
            _ => new DateTime(date.Year, (date.Month - 1) / 3 * 3 + 1, 1),
        };
    }

    static DateTime Next(DateTime start, Interval step) => step switch
    {
        Interval.Day => start.AddDays(1),
        Interval.Week => start.AddDays(7),
        Interval.Month => start.AddMonths(1),
        _ => start.AddMonths(3),
    };

    static string Format(long instant, TimeZoneInfo zone)
    {
        var at = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(instant), zone);
        var text = at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (at.Millisecond != 0)
            text += at.ToString(".fff", CultureInfo.InvariantCulture);
        return at.Offset == TimeSpan.Zero ? text + "Z" : text + at.ToString("zzz", CultureInfo.InvariantCulture);
    }

    public static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>
    /// <c>[from, to)</c> (Unix ms) as one bucket's aggregate reads: the whole UTC days inside it, the whole hours
    /// inside it on either side of those days, and the parts of hours left at its ends (at most two, each inside
    /// one hour). Used by the reads that need no series (<see cref="ScoreDistributionStore"/>, <see cref="ReasonsStore"/>).
    /// </summary>
    public static RangeCover Cover(long from, long to)
    {
        var h0 = -FloorDiv(-from, HourMs);
        var h1 = FloorDiv(to, HourMs);
        if (h0 > h1)
            return new RangeCover(new Span(0, 0), [], from < to ? [new Span(from, to)] : []);
        var d0 = -FloorDiv(-h0, 24);
        var d1 = FloorDiv(h1, 24);
        var days = d0 < d1 ? new Span(d0, d1) : new Span(0, 0);
        var hours = (d0 < d1 ? new[] { new Span(h0, d0 * 24), new Span(d1 * 24, h1) } : [new Span(h0, h1)])
            .Where(s => s.From < s.To).ToList();
        var parts = new[] { new Span(from, h0 * HourMs), new Span(h1 * HourMs, to) }.Where(s => s.From < s.To).ToList();
        return new RangeCover(days, hours, parts);
    }


    static long Mod(long a, long b) => a - FloorDiv(a, b) * b;
}
