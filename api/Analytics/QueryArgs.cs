using System.Globalization;

namespace Pulse.Api.Analytics;

/// <summary>
/// Reads and checks the query string of an analytics request, collecting one error per bad
/// parameter (answered as a 400 validation problem that names it). Unknown parameters and repeated
/// ones are errors too: a typo such as <c>filter[plan]</c> must not silently return unfiltered numbers.
/// </summary>
sealed class QueryArgs
{
    public const int MaxTraitKeyLength = 64;
    public const int MaxFilters = 10;

    readonly IQueryCollection _query;
    readonly HashSet<string> _allowed;

    public QueryArgs(IQueryCollection query, params string[] allowed)
    {
        _query = query;
        _allowed = new HashSet<string>(allowed, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, values) in query)
        {
            var isWhere = key.StartsWith("where[", StringComparison.Ordinal) && key.EndsWith(']');
            if (!_allowed.Contains(key) && !(isWhere && _allowed.Contains("where")))
                Fail(key, $"Unknown parameter '{key}'. Known: {string.Join(", ", allowed.Select(a => a == "where" ? "where[<trait>]" : a))}.");
            else if (values.Count > 1)
                Fail(key, $"Give '{key}' once.");
        }
    }

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public bool Ok => Errors.Count == 0;

    /// <summary>A one-line summary naming the first bad parameter, for the problem's <c>detail</c>.</summary>
    public string Detail => Errors.Count == 0 ? "" : $"Invalid parameter '{Errors.First().Key}': {Errors.First().Value[0]}";

    public void Fail(string name, string message) => Errors.TryAdd(name, [message]);

    public string? Text(string name)
    {
        var values = _query[name];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>The <c>where[key]=value</c> filters, keys checked.</summary>
    public IReadOnlyDictionary<string, string> Where()
    {
        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in _query)
        {
            if (!name.StartsWith("where[", StringComparison.Ordinal) || !name.EndsWith(']'))
                continue;
            var key = name[6..^1];
            if (TraitKeyError(key) is { } error)
                Fail(name, error);
            else
                filters[key] = values[0] ?? "";
        }
        if (filters.Count > MaxFilters)
            Fail("where", $"At most {MaxFilters} where[...] filters.");
        return filters;
    }

    /// <summary>A trait key used in <c>groupBy</c> or <c>where[...]</c>, or null when absent.</summary>
    public string? TraitKey(string name)
    {
        var key = Text(name);
        if (key is null)
            return null;
        if (TraitKeyError(key) is { } error)
            Fail(name, error);
        return key;
    }

    static string? TraitKeyError(string key)
    {
        if (key.Length is 0 or > MaxTraitKeyLength)
            return $"A trait key has 1 to {MaxTraitKeyLength} characters.";
        if (key.Any(ch => ch is '"' or '\\' || char.IsControl(ch)))
            return "A trait key cannot contain quotes, backslashes or control characters.";
        return null;
    }

    /// <summary>An IANA time zone (UTC when absent).</summary>
    public TimeZoneInfo Zone(string name)
    {
        var id = Text(name);
        if (string.IsNullOrEmpty(id))
            return TimeZoneInfo.Utc;
        try
        {
            // Only IANA names: "Europe/Berlin", "UTC". Windows names would work on some hosts only.
            if (TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _) || id is "UTC" or "Etc/UTC")
                return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
        }
        catch (InvalidTimeZoneException)
        {
        }
        Fail(name, $"'{id}' is not an IANA time zone such as Europe/Berlin or America/New_York.");
        return TimeZoneInfo.Utc;
    }

    public Interval? Interval(string name)
    {
        var text = Text(name);
        if (text is null)
            return null;
        if (TimeBuckets.TryParseInterval(text, out var interval))
            return interval;
        Fail(name, "Must be day, week, month or quarter.");
        return null;
    }

    /// <summary>
    /// An instant: an ISO 8601 date-time with <c>Z</c> or an offset, or a date (<c>2026-01-31</c>)
    /// meaning that day in <paramref name="zone"/> — its start for <c>from</c>, its end for
    /// <c>to</c> (so <c>from=2026-01-01&amp;to=2026-01-31</c> is all of January).
    /// </summary>
    public long? Instant(string name, TimeZoneInfo zone, bool endOfDay)
    {
        var text = Text(name);
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            if (date.Year is < MinYear or > MaxYear)
                return OutOfRange(name);
            return TimeBuckets.ToUtcMs((endOfDay ? date.AddDays(1) : date).ToDateTime(TimeOnly.MinValue), zone);
        }
        var hasZone = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (hasZone && text.Contains('T', StringComparison.OrdinalIgnoreCase)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return at.UtcDateTime.Year is < MinYear or > MaxYear ? OutOfRange(name) : at.ToUnixTimeMilliseconds();
        Fail(name, "Give a date (2026-01-31) or an ISO 8601 date-time with Z or an offset (2026-01-31T18:00:00Z).");
        return null;
    }

    // Dates far outside any product's life would overflow the calendar arithmetic of series and
    // time zones; they are refused by name instead.
    const int MinYear = 1970;
    const int MaxYear = 2199;

    long? OutOfRange(string name)
    {
        Fail(name, $"Must be between {MinYear}-01-01 and {MaxYear}-12-31.");
        return null;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Text(name);
        if (text is null)
            return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        Fail(name, $"Must be a whole number from {min} to {max}.");
        return fallback;
    }

    public double? Number(string name, double min, double max)
    {
        var text = Text(name);
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max)
            return value;
        Fail(name, $"Must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }
}
