using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Api.Localization;

/// <summary>
/// The follow-up question asked after a score, one per category of the survey's kind (docs/decisions.md,
/// K1): <c>promoter</c>/<c>passive</c>/<c>detractor</c> for NPS and eNPS, <c>satisfied</c>/<c>neutral</c>/<c>dissatisfied</c>
/// for CSAT, <c>easy</c>/<c>neutral</c>/<c>difficult</c> for CES. A kind's payload carries its three only.
/// As a survey's texts, it replaces the catalog's prompts it names.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FollowUpTexts(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Promoter = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Passive = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detractor = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dissatisfied = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Neutral = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Satisfied = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Difficult = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Easy = null)
{
    /// <summary>The prompt of a category, or null when not given (or not a category name).</summary>
    public string? Of(string category) => category switch
    {
        "promoter" => Promoter,
        "passive" => Passive,
        "detractor" => Detractor,
        "dissatisfied" => Dissatisfied,
        "neutral" => Neutral,
        "satisfied" => Satisfied,
        "difficult" => Difficult,
        "easy" => Easy,
        _ => null,
    };

    /// <summary>These prompts with the one of <paramref name="category"/> set.</summary>
    public FollowUpTexts With(string category, string? text) => category switch
    {
        "promoter" => this with { Promoter = text },
        "passive" => this with { Passive = text },
        "detractor" => this with { Detractor = text },
        "dissatisfied" => this with { Dissatisfied = text },
        "neutral" => this with { Neutral = text },
        "satisfied" => this with { Satisfied = text },
        "difficult" => this with { Difficult = text },
        "easy" => this with { Easy = text },
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a category of any question kind."),
    };

    /// <summary>True when no prompt is given.</summary>
    [JsonIgnore]
    public bool IsEmpty => this == new FollowUpTexts();
}

/// <summary>The reasons question's own strings: its prompt, the "Other" choice and the placeholder of Other's text.</summary>
public sealed record ReasonTexts(string Question, string Other, string Placeholder);

/// <summary>Every string the widget shows, in one locale. <c>{product}</c> stands for the workspace's product name.</summary>
public sealed record SurveyTexts(
    string Question,
    string Low,
    string High,
    FollowUpTexts FollowUp,
    string Placeholder,
    string Submit,
    string Dismiss,
    string Thanks,
    string OptOut)
{
    /// <summary>The reasons question's strings; sent only when the survey asks it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ReasonTexts? Reasons { get; init; }
}

/// <summary>
/// One locale: its code (as sent to clients), writing direction, name in its own language and
/// strings by catalog key (<see cref="CatalogKeys"/>).
/// </summary>
public sealed record CatalogLocale(string Code, string Dir, string Name, IReadOnlyDictionary<string, string> Strings)
{
    /// <summary>The categories of a kind as this locale's keys name them (<c>nps.followUp.detractor</c> → <c>detractor</c>).</summary>
    public IReadOnlyList<string> CategoriesOf(string kind)
    {
        var prefix = kind + "." + CatalogKeys.FollowUpPrefix;
        return Strings.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..]).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The widget's strings for a survey of <paramref name="kind"/>, <c>{product}</c> not yet filled in.</summary>
    public SurveyTexts Texts(string kind = "nps") =>
        CatalogKeys.Texts(CatalogKeys.FieldsOf(CategoriesOf(kind)), field => Strings[CatalogKeys.KeyOf(kind, field)]);
}

/// <summary>
/// The catalog keys. A kind's own strings are prefixed with the kind (<c>nps.question</c>,
/// <c>csat.followUp.dissatisfied</c>); the buttons and lines every kind shares are not. Adding a
/// question kind is adding its keys to every file of <c>Locales/</c> (the completeness test names
/// what is missing). A survey's texts name the same strings by their field path in the widget's
/// payload (<c>question</c>, <c>followUp.detractor</c>, <c>optOut</c>).
/// </summary>
public static class CatalogKeys
{
    public const string FollowUpPrefix = "followUp.";

    /// <summary>The reasons question's fields: a custom locale needs them only when its survey asks the question.</summary>
    public static readonly IReadOnlyList<string> ReasonFields = ["reasons.question", "reasons.other", "reasons.placeholder"];

    static readonly string[] KindOwn = ["question", "low", "high"];

    static readonly string[] Shared = ["placeholder", "submit", "dismiss", "thanks", "optOut"];

    /// <summary>Field paths of the texts of a kind with these follow-up categories, in the payload's order.</summary>
    public static IReadOnlyList<string> FieldsOf(IEnumerable<string> categories) =>
        [.. KindOwn, .. categories.Select(c => FollowUpPrefix + c), .. Shared];

    /// <summary>Field paths of the texts of an NPS survey with the reasons question, in the payload's order.</summary>
    public static readonly IReadOnlyList<string> Fields = [.. FieldsOf(["promoter", "passive", "detractor"]), "reasons.question", "reasons.other", "reasons.placeholder"];

    /// <summary>The catalog key of a field for a kind: <c>question</c> → <c>nps.question</c>, <c>submit</c> → <c>submit</c>.</summary>
    public static string KeyOf(string kind, string field) =>
        KindOwn.Contains(field) || field.StartsWith(FollowUpPrefix, StringComparison.Ordinal) ? kind + "." + field : field;

    /// <summary>
    /// The widget's texts of <paramref name="fields"/> (paths of <see cref="FieldsOf"/>), each read through
    /// <paramref name="read"/>; the reasons question's only <paramref name="withReasons"/>.
    /// </summary>
    public static SurveyTexts Texts(IReadOnlyList<string> fields, Func<string, string> read, bool withReasons = false) =>
        new(read("question"), read("low"), read("high"),
            fields.Where(f => f.StartsWith(FollowUpPrefix, StringComparison.Ordinal))
                .Aggregate(new FollowUpTexts(), (texts, f) => texts.With(f[FollowUpPrefix.Length..], read(f))),
            read("placeholder"), read("submit"), read("dismiss"), read("thanks"), read("optOut"))
        {
            Reasons = withReasons ? new ReasonTexts(read("reasons.question"), read("reasons.other"), read("reasons.placeholder")) : null,
        };
}

/// <summary>
/// The server-side catalog of survey wording: one JSON file per locale in <c>Locales/</c>, embedded
/// in the assembly (<c>{ "name", "dir", "texts": { key: string } }</c>). The widget carries no
/// translations: eligibility sends the strings in the negotiated locale. The wording follows the
/// standard NPS question ("How likely are you to recommend … to a friend or colleague?") with its
/// 0/10 anchors, in one register per language (formal where that is the norm for software).
/// Languages that inflect nouns keep <c>{product}</c> where it needs no case ending, or name it
/// through a neutral noun that takes the ending (Polish "w aplikacji {product}", Finnish "palvelua {product}").
/// </summary>
public static class SurveyCatalog
{
    public const string DefaultLocale = "en";

    const string ResourcePrefix = "Pulse.Locales.";

    sealed record LocaleFile(string Name, string Dir, Dictionary<string, string> Texts);

    static readonly CatalogLocale[] Entries = Load();

    static CatalogLocale[] Load()
    {
        var assembly = typeof(SurveyCatalog).Assembly;
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                var file = JsonSerializer.Deserialize<LocaleFile>(stream, options)
                    ?? throw new InvalidOperationException($"The locale file {n} is empty.");
                var code = n[ResourcePrefix.Length..^".json".Length];
                return new CatalogLocale(code, file.Dir, file.Name, file.Texts.ToFrozenDictionary(StringComparer.Ordinal));
            })
            .OrderBy(e => e.Code == DefaultLocale ? 0 : 1).ThenBy(e => e.Code, StringComparer.Ordinal)
            .ToArray();
    }

    static readonly Dictionary<string, CatalogLocale> ByCode =
        Entries.ToDictionary(e => e.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every locale code of the catalog, as clients receive it (<c>en</c> first, then <c>ar</c>, <c>bg</c>… <c>zh-TW</c>).</summary>
    public static IReadOnlyList<string> Codes { get; } = Entries.Select(e => e.Code).ToArray();

    /// <summary>Every key of the catalog: the English file's keys, which every other file must have too.</summary>
    public static IReadOnlyCollection<string> Keys => ByCode[DefaultLocale].Strings.Keys.ToArray();

    /// <summary>The catalog entry for a code, matched without regard to case; null when the catalog lacks it.</summary>
    public static CatalogLocale? Find(string code) => ByCode.GetValueOrDefault(code);

    public static CatalogLocale Get(string code) => Find(code) ?? ByCode[DefaultLocale];
}
