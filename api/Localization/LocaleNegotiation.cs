using System.Globalization;

namespace Pulse.Api.Localization;

/// <summary>
/// Picks the catalog locale for a request: the explicit <c>locale</c> first, then the
/// <c>Accept-Language</c> entries by q-value, then English. Each candidate is tried as given,
/// through the aliases below, and with its last subtag removed until only the language is left
/// (<c>de-AT</c> → <c>de</c>; <c>zh-Hant-HK</c> → <c>zh-Hant</c> → <c>zh-TW</c>). Pure logic.
/// </summary>
public static class LocaleNegotiation
{
    /// <summary>Tags that name a catalog locale under another spelling (keys lower case).</summary>
    static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zh"] = "zh-CN",
        ["zh-hans"] = "zh-CN",
        ["zh-sg"] = "zh-CN",
        ["zh-my"] = "zh-CN",
        ["zh-hant"] = "zh-TW",
        ["zh-hk"] = "zh-TW",
        ["zh-mo"] = "zh-TW",
        ["pt"] = "pt-BR",
        ["no"] = "nb",
        ["nn"] = "nb",
        ["iw"] = "he",
        ["in"] = "id",
    };

    const int MaxAcceptLanguageEntries = 20;
    const int MaxTagLength = 35;

    /// <summary>The catalog code to answer in.</summary>
    public static string Negotiate(string? requested, string? acceptLanguage)
    {
        if (Match(requested) is { } fromField)
            return fromField;
        foreach (var tag in ParseAcceptLanguage(acceptLanguage))
            if (Match(tag) is { } fromHeader)
                return fromHeader;
        return SurveyCatalog.DefaultLocale;
    }

    /// <summary>The catalog code one tag resolves to, or null when nothing in the catalog fits it.</summary>
    public static string? Match(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength)
            return null;
        var candidate = tag.Trim().Replace('_', '-');
        while (candidate.Length > 0)
        {
            if (SurveyCatalog.Find(candidate) is { } exact)
                return exact.Code;
            if (Aliases.TryGetValue(candidate, out var alias))
                return alias;
            var cut = candidate.LastIndexOf('-');
            candidate = cut < 0 ? "" : candidate[..cut];
        }
        return null;
    }

    /// <summary>The language tags of an Accept-Language header, best first (q=0 and <c>*</c> dropped; ties keep their order).</summary>
    public static IReadOnlyList<string> ParseAcceptLanguage(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return [];
        var entries = new List<(string Tag, double Q, int Index)>();
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(MaxAcceptLanguageEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var tag = pieces[0];
            if (tag.Length == 0 || tag == "*" || tag.Length > MaxTagLength)
                continue;
            var q = 1.0;
            foreach (var parameter in pieces.Skip(1))
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parameter[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out q))
                    q = 0;
            if (q > 0)
                entries.Add((tag, q, entries.Count));
        }
        return entries.OrderByDescending(e => e.Q).ThenBy(e => e.Index).Select(e => e.Tag).ToList();
    }

    /// <summary>Whether a string has the shape of a BCP 47 language tag (<c>de</c>, <c>pt-BR</c>, <c>zh_Hant_TW</c>).</summary>
    public static bool IsWellFormedTag(string tag)
    {
        if (tag.Length is 0 or > MaxTagLength)
            return false;
        var parts = tag.Split('-', '_');
        if (parts[0].Length is < 2 or > 8 || !parts[0].All(char.IsAsciiLetter))
            return false;
        return parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }
}
