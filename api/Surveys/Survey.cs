using System.Text.Json;
using System.Text.Json.Serialization;
using Pulse.Api.Localization;
using Pulse.Api.Operations;

namespace Pulse.Api.Surveys;

/// <summary>A survey of a workspace with its rules: what the eligibility decision reads.</summary>
public sealed record Survey(
    string Id,
    string WorkspaceId,
    string Name,
    string Kind,
    bool Active,
    int Priority,
    string? Trigger,
    int FirstSurveyDelayDays,
    int ResurveyDays,
    int DeclineCooldownDays,
    int ReshowAfterIgnoredDays,
    double SamplePercent,
    int? DailyCap,
    IReadOnlyList<TargetingCondition> Targeting,
    IReadOnlyList<string> ExcludeEmailDomains,
    IReadOnlyDictionary<string, TextOverrides> Texts,
    SurveyTheme Theme,
    long CreatedAt,
    long UpdatedAt)
{
    /// <summary>The A/B variants (none, or 2 to 4); each user sees one, chosen by <see cref="Variants.Assign"/>.</summary>
    public IReadOnlyList<SurveyVariant> Variants { get; init; } = [];

    /// <summary>The reasons question asked after the score, or null for none.</summary>
    public SurveyReasons? Reasons { get; init; }

    /// <summary>Days after an ignored in-app display to send the survey by email (once per cycle); null: off.</summary>
    public int? EmailFallbackDays { get; init; }

    /// <summary>The reasons question a display of <paramref name="variant"/> asks: the variant's own, else the survey's.</summary>
    public SurveyReasons? ReasonsOf(string? variant) =>
        Variants.FirstOrDefault(v => v.Key == variant)?.Reasons ?? Reasons;
}

/// <summary>
/// One A/B variant: its key (recorded on each display and grouped by <c>groupBy=variant</c>), its
/// relative weight, and texts per locale laid over the survey's own (any text left out is the survey's).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SurveyVariant(
    string Key,
    int Weight,
    IReadOnlyDictionary<string, TextOverrides> Texts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SurveyReasons? Reasons = null);

/// <summary>
/// A variant as a request gives it: <c>{ "key": "b", "weight": 50, "texts": { "en": { "question": "…" } } }</c>;
/// <c>reasons</c>, when given, replaces the survey's reasons question for this variant.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VariantInput(string? Key, int? Weight, IReadOnlyDictionary<string, TextOverrides?>? Texts, ReasonsInput? Reasons = null);

/// <summary>
/// A trait condition: <c>{ "trait": "plan", "op": "in", "values": [...] }</c>. <c>eq</c>/<c>neq</c>
/// take a <c>value</c> (string, number or bool), <c>gte</c>/<c>lte</c> a number <c>value</c>,
/// <c>in</c>/<c>nin</c> a non-empty <c>values</c> array, <c>exists</c> neither.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TargetingCondition(
    string Trait,
    string Op,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? Values = null);

/// <summary>
/// Per-locale texts. For a catalog locale, replacements of its strings (any string left out keeps
/// the catalog's wording). For any other BCP 47 tag, a custom locale: every string is required and
/// <c>dir</c> may say <c>rtl</c> (default: <c>rtl</c> for Arabic-script and Hebrew-script languages).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TextOverrides(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Question = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Low = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? High = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FollowUpTexts? FollowUp = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Submit = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dismiss = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Thanks = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OptOut = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dir = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReasonTextOverrides? Reasons = null)
{
    /// <summary>The string of a field path of <see cref="CatalogKeys.FieldsOf"/>, or null when not given.</summary>
    public string? Field(string field) => field switch
    {
        "question" => Question,
        "low" => Low,
        "high" => High,
        _ when field.StartsWith(CatalogKeys.FollowUpPrefix, StringComparison.Ordinal) => FollowUp?.Of(field[CatalogKeys.FollowUpPrefix.Length..]),
        "placeholder" => Placeholder,
        "submit" => Submit,
        "dismiss" => Dismiss,
        "thanks" => Thanks,
        "optOut" => OptOut,
        "reasons.question" => Reasons?.Question,
        "reasons.other" => Reasons?.Other,
        "reasons.placeholder" => Reasons?.Placeholder,
        _ => null,
    };
}

/// <summary>The reasons question's own texts: its prompt, the "Other" choice and the placeholder of Other's text field.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReasonTextOverrides(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Question = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Other = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder = null);

/// <summary>How the widget looks: accent colour <c>#rrggbb</c> and where it appears.</summary>
public sealed record SurveyTheme(string Color, string Position);

/// <summary>The survey resource of <c>/v1/surveys</c> (docs/api.md, "The survey resource"), exactly these fields.</summary>
public sealed record SurveyResource(
    string Id,
    string Name,
    string Kind,
    bool Active,
    int Priority,
    string? Trigger,
    int FirstSurveyDelayDays,
    int ResurveyDays,
    int DeclineCooldownDays,
    int ReshowAfterIgnoredDays,
    double SamplePercent,
    int? DailyCap,
    IReadOnlyList<TargetingCondition> Targeting,
    IReadOnlyList<string> ExcludeEmailDomains,
    IReadOnlyDictionary<string, TextOverrides> Texts,
    SurveyTheme Theme,
    IReadOnlyList<SurveyVariant> Variants,
    SurveyReasons? Reasons,
    int? EmailFallbackDays);

/// <summary><c>GET /v1/surveys</c>: the workspace's surveys, highest priority first.</summary>
public sealed record SurveyList(IReadOnlyList<SurveyResource> Items);

/// <summary>
/// Body of <c>POST /v1/surveys</c> (omitted fields take the defaults) and <c>PUT /v1/surveys/{id}</c>
/// (omitted fields keep their value; <c>trigger</c> and <c>dailyCap</c> are cleared by an explicit null).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SurveyInput
{
    readonly string? _trigger;
    readonly int? _dailyCap;
    readonly ReasonsInput? _reasons;
    readonly int? _emailFallbackDays;

    /// <summary>
    /// Read-only: a client may send back the resource it read (GET, edit, PUT), so the survey's own id
    /// is accepted and ignored; any other id is refused, since ids never change.
    /// </summary>
    public string? Id { get; init; }

    public string? Name { get; init; }
    public string? Kind { get; init; }
    public bool? Active { get; init; }
    public int? Priority { get; init; }

    /// <summary>Null: any page view; else an event name. An explicit null clears it.</summary>
    public string? Trigger
    {
        get => _trigger;
        init { _trigger = value; HasTrigger = true; }
    }

    public int? FirstSurveyDelayDays { get; init; }
    public int? ResurveyDays { get; init; }
    public int? DeclineCooldownDays { get; init; }
    public int? ReshowAfterIgnoredDays { get; init; }
    public double? SamplePercent { get; init; }

    /// <summary>Null: no cap. An explicit null clears it.</summary>
    public int? DailyCap
    {
        get => _dailyCap;
        init { _dailyCap = value; HasDailyCap = true; }
    }

    public IReadOnlyList<TargetingCondition?>? Targeting { get; init; }
    public IReadOnlyList<string?>? ExcludeEmailDomains { get; init; }
    public IReadOnlyDictionary<string, TextOverrides?>? Texts { get; init; }
    public ThemeInput? Theme { get; init; }

    /// <summary>None (an empty list clears them) or 2 to 4 variants.</summary>
    public IReadOnlyList<VariantInput?>? Variants { get; init; }

    /// <summary>The reasons question; an explicit null removes it.</summary>
    public ReasonsInput? Reasons
    {
        get => _reasons;
        init { _reasons = value; HasReasons = true; }
    }

    [JsonIgnore]
    public bool HasReasons { get; private init; }

    /// <summary>Whether the body named <c>trigger</c> (the JSON serializer calls the setter only then).</summary>
    [JsonIgnore]
    public bool HasTrigger { get; private init; }

    [JsonIgnore]
    public bool HasDailyCap { get; private init; }

    /// <summary>Null: no email fallback (the default). An explicit null turns it off.</summary>
    public int? EmailFallbackDays
    {
        get => _emailFallbackDays;
        init { _emailFallbackDays = value; HasEmailFallbackDays = true; }
    }

    [JsonIgnore]
    public bool HasEmailFallbackDays { get; private init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ThemeInput(string? Color, string? Position);

public static class SurveyMapping
{
    /// <summary>JSON of the survey's JSON columns: camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions ColumnJson = new(OperationsExtensions.Configure(new JsonSerializerOptions()))
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static SurveyResource ToResource(this Survey s) => new(s.Id, s.Name, s.Kind, s.Active, s.Priority, s.Trigger,
        s.FirstSurveyDelayDays, s.ResurveyDays, s.DeclineCooldownDays, s.ReshowAfterIgnoredDays, s.SamplePercent, s.DailyCap,
        s.Targeting, s.ExcludeEmailDomains, s.Texts, s.Theme, s.Variants, s.Reasons, s.EmailFallbackDays);
}
