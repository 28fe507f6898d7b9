using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Operations;

namespace Pulse.Api.Analytics;

/// <summary>
/// The <c>where[trait]=value</c> filters of an analytics query, bound by the framework from the query
/// string like any other parameter of an <c>[AsParameters]</c> record (OpenAPI describes them as the
/// deep-object parameter <c>where</c>).
/// </summary>
public sealed class TraitFilters : IBindableFromHttpContext<TraitFilters>
{
    public const string Prefix = "where[";

    /// <summary>How OpenAPI describes the filters (the framework sees only a bound object).</summary>
    public static readonly DeepObjectParameter OpenApi = new("where", QueryArgs.MaxFilters,
        "Trait filters: where[trait]=value keeps the responses whose display snapshot has that trait value " +
        $"(several filters must all match; at most {QueryArgs.MaxFilters}; keys of 1–64 characters).");

    TraitFilters(IReadOnlyList<KeyValuePair<string, string>> items) => Items = items;

    /// <summary>Every <c>where[key]</c> parameter in the order given: (key inside the brackets, value).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Items { get; }

    public static bool IsFilter(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(']');

    public static ValueTask<TraitFilters?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<TraitFilters?>(new TraitFilters(context.Request.Query
            .Where(p => IsFilter(p.Key))
            .Select(p => KeyValuePair.Create(p.Key[Prefix.Length..^1], p.Value.Count == 0 ? "" : p.Value[0] ?? ""))
            .ToList()));
}

/// <summary>
/// Checks the parameters of an analytics request, bound once by the framework into an
/// <c>[AsParameters]</c> record, collecting one error per bad parameter (answered as a 400 validation
/// problem that names it). Unknown parameters and repeated ones are errors too: a typo such as
/// <c>filter[plan]</c> must not silently return unfiltered numbers.
/// </summary>
sealed class QueryArgs
{
    public const int MaxTraitKeyLength = 64;
    public const int MaxFilters = 10;

    /// <summary>Checks the keys of <paramref name="query"/> against the parameters of the record <typeparamref name="T"/>.</summary>
    public static QueryArgs For<T>(IQueryCollection query) => new(query, Known<T>.Names);

    QueryArgs(IQueryCollection query, IReadOnlyList<string> allowed)
    {
        foreach (var (key, values) in query)
        {
            if (TraitFilters.IsFilter(key) ? !allowed.Contains("where") : !allowed.Contains(key, StringComparer.OrdinalIgnoreCase))
                Fail(key, $"Unknown parameter '{key}'. Known: {string.Join(", ", allowed.Select(a => a == "where" ? "where[<trait>]" : a))}.");
            else if (values.Count > 1)
                Fail(key, $"Give '{key}' once.");
        }
    }

    /// <summary>The query names of a parameter record: its <c>[FromQuery(Name)]</c> names, and <c>where</c> for its filters.</summary>
    static class Known<T>
    {
        public static readonly IReadOnlyList<string> Names = typeof(T).GetConstructors().Single().GetParameters()
            .Select(p => p.ParameterType == typeof(TraitFilters) ? "where" : p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name!)
            .ToList();
    }

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public bool Ok => Errors.Count == 0;

    /// <summary>A one-line summary naming the first bad parameter, for the problem's <c>detail</c>.</summary>
    public string Detail => Errors.Count == 0 ? "" : $"Invalid parameter '{Errors.First().Key}': {Errors.First().Value[0]}";

    public void Fail(string name, string message) => Errors.TryAdd(name, [message]);

    /// <summary>The <c>where[key]=value</c> filters, keys checked.</summary>
    public IReadOnlyDictionary<string, string> Where(TraitFilters? where)
    {
        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in where?.Items ?? [])
        {
            if (TraitKeyError(key) is { } error)
                Fail($"{TraitFilters.Prefix}{key}]", error);
            else
                filters[key] = value;
        }
        if (filters.Count > MaxFilters)
            Fail("where", $"At most {MaxFilters} where[...] filters.");
        return filters;
    }

    /// <summary>A trait key used in <c>groupBy</c> or <c>where[...]</c>, or null when absent.</summary>
    public string? TraitKey(string name, string? key)
    {
        if (key is null)
            return null;
        if (TraitKeyError(key) is { } error)
            Fail(name, error);
        return key;
    }

    /// <summary>Why a trait key cannot be filtered or grouped on, or null when it can (also for webhook trait filters).</summary>
    internal static string? TraitKeyError(string key)
    {
        if (key.Length is 0 or > MaxTraitKeyLength)
            return $"A trait key has 1 to {MaxTraitKeyLength} characters.";
        if (key.Any(ch => ch is '"' or '\\' || char.IsControl(ch)))
            return "A trait key cannot contain quotes, backslashes or control characters.";
        return null;
    }

    /// <summary>An IANA time zone (UTC when absent).</summary>
    public TimeZoneInfo Zone(string name, string? id)
    {
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

    public Interval? Interval(string name, string? text)
    {
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
    public long? Instant(string name, string? text, TimeZoneInfo zone, bool endOfDay)
    {
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

    public int Int(string name, string? text, int fallback, int min, int max)
    {
        if (text is null)
            return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        Fail(name, $"Must be a whole number from {min} to {max}.");
        return fallback;
    }

    public double? Number(string name, string? text, double min, double max)
    {
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max)
            return value;
        Fail(name, $"Must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }
}
