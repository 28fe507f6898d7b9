using System.Globalization;

namespace Pulse.Api.Localization;

/// <summary>
/// Picks the catalog locale for a request: the explicit <c>locale</c> first, then the
/// <c>Accept-Language</c> entries by q-value, then English. Each candidate is tried as given,
/// through the aliases below, and with its last subtag removed until only the language is left
/// (<c>de-AT</c> → <c>de</c>; <c>zh-Hant-TW</c> → <c>zh-Hant</c> → <c>zh-TW</c>). A survey's custom
/// locales take part too: at each step a custom locale of that tag wins over the catalog. Pure logic.
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
        // Hong Kong and Macau read Traditional Chinese in Hong Kong's written standard; Cantonese
        // (yue) is written that way too, except in Simplified script (Guangdong).
        ["zh-hant-hk"] = "zh-HK",
        ["zh-mo"] = "zh-HK",
        ["zh-hant-mo"] = "zh-HK",
        ["yue"] = "zh-HK",
        ["yue-hant"] = "zh-HK",
        ["yue-hans"] = "zh-CN",
        ["pt"] = "pt-BR",
        ["tl"] = "fil",
        ["no"] = "nb",
        ["nn"] = "nb",
        ["iw"] = "he",
        ["in"] = "id",
    };

    const int MaxAcceptLanguageEntries = 20;
    const int MaxTagLength = 35;

    /// <summary>Languages written right to left: a custom locale of one of them defaults to <c>rtl</c>.</summary>
    static readonly HashSet<string> RightToLeft = new(StringComparer.OrdinalIgnoreCase)
        { "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi" };

    /// <summary>The code to answer in: a catalog code, or one of <paramref name="custom"/> (a survey's own locales).</summary>
    public static string Negotiate(string? requested, string? acceptLanguage, IEnumerable<string>? custom = null)
    {
        var own = custom?.ToList() ?? [];
        if (Match(requested, own) is { } fromField)
            return fromField;
        foreach (var tag in ParseAcceptLanguage(acceptLanguage))
            if (Match(tag, own) is { } fromHeader)
                return fromHeader;
        return SurveyCatalog.DefaultLocale;
    }

    /// <summary>The code one tag resolves to, or null when neither <paramref name="custom"/> nor the catalog fits it.</summary>
    public static string? Match(string? tag, IReadOnlyList<string>? custom = null)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength)
            return null;
        var candidate = tag.Trim().Replace('_', '-');
        while (candidate.Length > 0)
        {
            if (custom?.FirstOrDefault(c => string.Equals(c, candidate, StringComparison.OrdinalIgnoreCase)) is { } own)
                return own;
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
        var first = true;
        foreach (var range in tag.AsSpan().SplitAny('-', '_'))
        {
            var part = tag.AsSpan()[range];
            if (first ? part.Length is < 2 or > 8 || !AllAsciiLetters(part)
                : part.Length is < 1 or > 8 || !AllAsciiLettersOrDigits(part))
                return false;
            first = false;
        }
        return true;
    }

    static bool AllAsciiLetters(ReadOnlySpan<char> part)
    {
        foreach (var c in part)
            if (!char.IsAsciiLetter(c))
                return false;
        return true;
    }

    static bool AllAsciiLettersOrDigits(ReadOnlySpan<char> part)
    {
        foreach (var c in part)
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        return true;
    }

    /// <summary>A well-formed tag in its usual casing: <c>gsw_ch</c> → <c>gsw-CH</c>, <c>SR-latn</c> → <c>sr-Latn</c>.</summary>
    public static string Canonical(string tag)
    {
        var parts = tag.Split('-', '_');
        for (var i = 0; i < parts.Length; i++)
            parts[i] = i == 0 ? parts[i].ToLowerInvariant()
                : parts[i].Length == 4 && parts[i].All(char.IsAsciiLetter) ? char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant()
                : parts[i].Length == 2 || (parts[i].Length == 3 && parts[i].All(char.IsAsciiDigit)) ? parts[i].ToUpperInvariant()
                : parts[i].ToLowerInvariant();
        return string.Join('-', parts);
    }

    /// <summary>The direction a custom locale takes when its texts do not say: <c>rtl</c> for a right-to-left language or script.</summary>
    public static string DefaultDir(string tag)
    {
        var parts = tag.Split('-', '_');
        var rtl = RightToLeft.Contains(parts[0])
                  || parts.Skip(1).Any(p => p.Equals("Arab", StringComparison.OrdinalIgnoreCase) || p.Equals("Hebr", StringComparison.OrdinalIgnoreCase));
        return rtl && !parts.Skip(1).Any(p => p.Equals("Latn", StringComparison.OrdinalIgnoreCase) || p.Equals("Cyrl", StringComparison.OrdinalIgnoreCase)) ? "rtl" : "ltr";
    }
}
