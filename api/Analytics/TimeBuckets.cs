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

/// <summary>
/// Which parts of a query's time range come from which table. Aggregates are kept per UTC day
/// and per UTC hour; a range is read as whole UTC days where it can, whole hours at the edges of
/// those, and raw rows only for what is left (less than an hour at each edge). So any time zone,
/// even a half- or quarter-hour one, and any <c>from</c>/<c>to</c> give exact counts.
/// </summary>
public sealed record ReadPlan(IReadOnlyList<Span> Days, IReadOnlyList<Span> Hours, IReadOnlyList<Span> Raw);

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

    /// <summary>Splits the buckets' time into whole UTC days, whole UTC hours and raw edges, merged and in order.</summary>
    public static ReadPlan Plan(IReadOnlyList<Bucket> buckets)
    {
        var days = new List<Span>();
        var hours = new List<Span>();
        var raw = new List<Span>();
        foreach (var b in buckets)
        {
            if (b.From >= b.To)
                continue;
            var h0 = CeilDiv(b.From, HourMs);
            var h1 = FloorDiv(b.To, HourMs);
            if (h0 >= h1)
            {
                Add(raw, b.From, b.To);
                continue;
            }
            Add(raw, b.From, h0 * HourMs);
            var d0 = CeilDiv(h0, 24);
            var d1 = FloorDiv(h1, 24);
            if (d0 >= d1)
                Add(hours, h0, h1);
            else
            {
                Add(hours, h0, d0 * 24);
                Add(days, d0, d1);
                Add(hours, d1 * 24, h1);
            }
            Add(raw, h1 * HourMs, b.To);
        }
        return new ReadPlan(days, hours, raw);
    }

    /// <summary>
    /// The coarsest unit (ms) that every bucket boundary inside the range is a multiple of: raw
    /// rows can then be counted per unit and still land in the right bucket.
    /// </summary>
    public static long Grain(IReadOnlyList<Bucket> buckets)
    {
        long grain = HourMs;
        for (var i = 1; i < buckets.Count; i++)
        {
            while (grain > 1 && Mod(buckets[i].From, grain) != 0)
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

    /// <summary>Whether <paramref name="value"/> lies in one of the sorted, disjoint <paramref name="spans"/>.</summary>
    public static bool Contains(IReadOnlyList<Span> spans, long value)
    {
        int lo = 0, hi = spans.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (value < spans[mid].From)
                hi = mid - 1;
            else if (value >= spans[mid].To)
                lo = mid + 1;
            else
                return true;
        }
        return false;
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

    static void Add(List<Span> spans, long from, long to)
    {
        if (from >= to)
            return;
        if (spans.Count > 0 && spans[^1].To == from)
            spans[^1] = spans[^1] with { To = to };
        else
            spans.Add(new Span(from, to));
    }

    public static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    public static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    static long Mod(long a, long b) => a - FloorDiv(a, b) * b;
}
