using System.Globalization;

namespace Pulse.Api.Analytics;

/// <summary>
/// Groups the values of a numeric trait (ARR, seats…) into bands between ascending edges, so
/// <c>groupBy=arr&amp;bands=1000,10000</c> answers three groups — <c>&lt;1000</c>, <c>1000-10000</c>,
/// <c>&gt;=10000</c> — instead of one per raw value. A band holds its lower edge and excludes its
/// upper one. Values that are not numbers keep a group of their own. Pure.
/// </summary>
public static class TraitBands
{
    public const int MaxEdges = 20;

    /// <summary>Parses <c>1000,10000,100000</c>: 1 to <see cref="MaxEdges"/> finite numbers, strictly ascending; null with an error otherwise.</summary>
    public static IReadOnlyList<double>? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var edges = new List<double>();
        foreach (var part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var edge) || !double.IsFinite(edge))
            {
                error = $"Give 1 to {MaxEdges} numbers separated by commas, in ascending order, e.g. 1000,10000,100000.";
                return null;
            }
            if (edges.Count > 0 && edge <= edges[^1])
            {
                error = "Give the band edges in ascending order, each once, e.g. 1000,10000,100000.";
                return null;
            }
            edges.Add(edge);
        }
        if (edges.Count is 0 or > MaxEdges)
        {
            error = $"Give 1 to {MaxEdges} band edges.";
            return null;
        }
        return edges;
    }

    /// <summary>The band of a trait value — its lower and upper edge (null: unbounded) — or null when the value is not a number.</summary>
    public static (double? From, double? To)? Of(string value, IReadOnlyList<double> edges)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            return null;
        var above = 0;
        while (above < edges.Count && edges[above] <= v)
            above++;
        return (above == 0 ? null : edges[above - 1], above == edges.Count ? null : edges[above]);
    }

    /// <summary>The group value of a band: <c>&lt;1000</c>, <c>1000-10000</c>, <c>&gt;=1000000</c>.</summary>
    public static string Label(double? from, double? to) => (from, to) switch
    {
        (null, { } t) => "<" + Number(t),
        ({ } f, null) => ">=" + Number(f),
        ({ } f, { } t) => Number(f) + "-" + Number(t),
        _ => "",
    };

    static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
