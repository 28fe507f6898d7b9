using System.Text.Json.Serialization;
using Pulse.Api.Localization;

namespace Pulse.Api.Surveys;

/// <summary>
/// The reasons question a survey asks after the score: pick one (<c>multiple: false</c>) or several
/// reasons, with an optional "Other" and its text. <c>options</c> is the list of every category
/// without a list of its own in <c>byCategory</c>; a category whose list is empty is not asked.
/// </summary>
public sealed record SurveyReasons(
    bool Multiple,
    bool Other,
    IReadOnlyList<Reason> Options,
    IReadOnlyDictionary<string, IReadOnlyList<Reason>> ByCategory)
{
    /// <summary>The reasons shown to a score of <paramref name="category"/> (empty: the question is not asked).</summary>
    public IReadOnlyList<Reason> For(string category) => ByCategory.TryGetValue(category, out var own) ? own : Options;
}

/// <summary>One reason: a stable id (what answers and analytics keep), its label, and labels per locale.</summary>
public sealed record Reason(
    string Id,
    string Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Labels = null)
{
    /// <summary>The label in <paramref name="locale"/>: its own, else its language's (<c>de-AT</c> → <c>de</c>), else <see cref="Label"/>.</summary>
    public string LabelIn(string locale)
    {
        if (Labels is null)
            return Label;
        foreach (var tag in new[] { locale, locale.Split('-')[0] })
            foreach (var (key, value) in Labels)
                if (string.Equals(key, tag, StringComparison.OrdinalIgnoreCase))
                    return value;
        return Label;
    }
}

/// <summary>The reasons question as a request gives it (see <see cref="SurveyReasons"/>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReasonsInput(
    bool? Multiple,
    bool? Other,
    IReadOnlyList<ReasonInput?>? Options,
    IReadOnlyDictionary<string, IReadOnlyList<ReasonInput?>?>? ByCategory);

/// <summary>A reason as a request gives it: <c>{ "id": "price", "label": "Too expensive", "labels": { "de": "Zu teuer" } }</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReasonInput(string? Id, string? Label, IReadOnlyDictionary<string, string?>? Labels);

/// <summary>
/// The categories of a score per question kind, the keys of <c>reasons.byCategory</c>: NPS and eNPS
/// detractor 0–6, passive 7–8, promoter 9–10; CSAT (1–5) dissatisfied 1–2, neutral 3, satisfied 4–5;
/// CES (1–7) difficult 1–3, neutral 4, easy 5–7.
/// </summary>
public static class ScoreCategories
{
    public sealed record Band(string Category, int Min, int Max);

    static readonly Band[] Nps = [new("detractor", 0, 6), new("passive", 7, 8), new("promoter", 9, 10)];
    static readonly Band[] Csat = [new("dissatisfied", 1, 2), new("neutral", 3, 3), new("satisfied", 4, 5)];
    static readonly Band[] Ces = [new("difficult", 1, 3), new("neutral", 4, 4), new("easy", 5, 7)];

    /// <summary>The bands of a kind, lowest scores first.</summary>
    public static IReadOnlyList<Band> Of(string kind) => kind switch
    {
        "csat" => Csat,
        "ces" => Ces,
        _ => Nps,
    };

    /// <summary>The category of <paramref name="score"/> in <paramref name="kind"/>, or null when the score is off the scale.</summary>
    public static string? CategoryOf(string kind, int score) => Of(kind).FirstOrDefault(b => score >= b.Min && score <= b.Max)?.Category;
}

/// <summary>Checks the reasons question of a survey or variant; every error names its field. Pure.</summary>
public static class ReasonsValidation
{
    public const int MaxReasons = 10;
    public const int MaxIdLength = 32;
    public const int MaxLabelLength = 100;
    public const int MaxLabelLocales = 60;

    /// <summary>The id the answers use for "Other"; no reason may take it.</summary>
    public const string OtherId = "other";

    /// <summary>A reason id: 1–32 of <c>a-z 0-9 _ -</c>, not <c>other</c>.</summary>
    public static bool IsReasonId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id != OtherId && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    /// <summary>The reasons of <paramref name="input"/> for a survey of <paramref name="kind"/>, or null with errors under <paramref name="field"/>.</summary>
    public static SurveyReasons? Check(ReasonsInput input, string kind, string field, Action<string, string> error)
    {
        var ok = true;
        var options = CheckList(input.Options ?? [], $"{field}.options", ref ok, error);
        var byCategory = new Dictionary<string, IReadOnlyList<Reason>>(StringComparer.Ordinal);
        var categories = ScoreCategories.Of(kind).Select(b => b.Category).ToList();
        foreach (var (category, list) in input.ByCategory ?? new Dictionary<string, IReadOnlyList<ReasonInput?>?>())
        {
            if (!categories.Contains(category))
            {
                error($"{field}.byCategory.{category}", $"A '{kind}' survey's categories are {string.Join(", ", categories)}; '{category}' is none of them.");
                ok = false;
                continue;
            }
            byCategory[category] = CheckList(list ?? [], $"{field}.byCategory.{category}", ref ok, error);
        }
        if (ok && options.Count == 0 && byCategory.Values.All(l => l.Count == 0))
        {
            error(field, "Give at least one reason in 'options' (every category) or in 'byCategory', or send null to remove the question.");
            ok = false;
        }
        return ok ? new SurveyReasons(input.Multiple ?? true, input.Other ?? false, options, byCategory) : null;
    }

    static List<Reason> CheckList(IReadOnlyList<ReasonInput?> list, string field, ref bool ok, Action<string, string> error)
    {
        var result = new List<Reason>();
        if (list.Count > MaxReasons)
        {
            error(field, $"Give at most {MaxReasons} reasons; {list.Count} were sent.");
            ok = false;
            return result;
        }
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{field}[{i}]";
            if (list[i] is not { } r)
            {
                error(at, "Give each reason as an object { id, label, labels? }.");
                ok = false;
                continue;
            }
            if (!IsReasonId(r.Id))
            {
                error($"{at}.id", $"Give an id of 1 to {MaxIdLength} characters of a-z, 0-9, '_', '-' (not '{OtherId}', which is the \"Other\" answer); answers keep it, so keep it when the label changes.");
                ok = false;
            }
            else if (result.Any(p => p.Id == r.Id) || list.Take(i).Any(p => p?.Id == r.Id))
            {
                error($"{at}.id", $"'{r.Id}' is in this list twice; give each reason its own id.");
                ok = false;
            }
            if (CheckLabel(r.Label) is { } labelError)
            {
                error($"{at}.label", labelError);
                ok = false;
            }
            var labels = CheckLabels(r.Labels, $"{at}.labels", ref ok, error);
            if (ok)
                result.Add(new Reason(r.Id!, r.Label!.Trim(), labels));
        }
        return result;
    }

    static Dictionary<string, string>? CheckLabels(IReadOnlyDictionary<string, string?>? labels, string field, ref bool ok, Action<string, string> error)
    {
        if (labels is null || labels.Count == 0)
            return null;
        if (labels.Count > MaxLabelLocales)
        {
            error(field, $"Give labels for at most {MaxLabelLocales} locales.");
            ok = false;
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (locale, label) in labels)
        {
            var code = SurveyCatalog.Find(locale)?.Code ?? (LocaleNegotiation.IsWellFormedTag(locale) ? LocaleNegotiation.Canonical(locale) : null);
            if (code is null)
            {
                error($"{field}.{locale}", $"'{locale}' is not a language tag: give a locale such as 'de', 'pt-BR' or 'sw'.");
                ok = false;
            }
            else if (CheckLabel(label) is { } labelError)
            {
                error($"{field}.{locale}", labelError);
                ok = false;
            }
            else if (!result.TryAdd(code, label!.Trim()))
            {
                error($"{field}.{locale}", $"'{code}' is given twice; keep one.");
                ok = false;
            }
        }
        return result;
    }

    static string? CheckLabel(string? label) =>
        label is null || label.Trim().Length is 0 or > MaxLabelLength
            ? $"Write a label of 1 to {MaxLabelLength} characters."
            : Operations.FreeText.HasControl(label) ? Operations.FreeText.NoControl("label") : null;
}
