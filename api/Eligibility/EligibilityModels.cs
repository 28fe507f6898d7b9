using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;

namespace Pulse.Api.Eligibility;

/// <summary>
/// <c>POST /v1/eligibility</c>. With a site key (browsers) <c>siteKey</c> is required; with
/// <c>Authorization: Bearer sk_…</c> (servers) it is ignored.
/// </summary>
public sealed record EligibilityRequest(
    string? SiteKey,
    EligibilityUser? User,
    string? UserHash,
    string? Event,
    string? Locale,
    string? Url,
    bool? Force);

/// <summary>The signed-in user as the vendor knows them. <c>traits</c>, when given, replace the stored set.</summary>
public sealed record EligibilityUser(
    string? Id,
    string? Email,
    DateTimeOffset? CreatedAt,
    Dictionary<string, JsonElement>? Traits);

/// <summary><c>{ "eligible": false, "reason": "…" }</c>, or eligible with a display token and the survey to show.</summary>
public sealed record EligibilityResponse(
    bool Eligible,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayToken = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EligibleSurvey? Survey = null);

/// <summary>The survey to show, with every string in the negotiated locale and <c>{product}</c> filled in, and the scale of its kind.</summary>
public sealed record EligibleSurvey(string Id, string Kind, string Locale, string Dir, SurveyTexts Texts, SurveyTheme Theme, SurveyScale Scale)
{
    /// <summary>The reasons question, its labels in the locale; left out when the survey (or the shown variant) asks none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EligibleReasons? Reasons { get; init; }
}

/// <summary>
/// The reasons question as the widget reads it: one list per category that is asked, with the scores
/// it covers (<c>min</c>–<c>max</c>), so the widget picks the list of the chosen score without knowing the kind.
/// </summary>
public sealed record EligibleReasons(bool Multiple, bool Other, IReadOnlyList<EligibleReasonList> Lists);

/// <summary>The reasons shown to the scores <c>min</c>–<c>max</c> (one category).</summary>
public sealed record EligibleReasonList(string Category, int Min, int Max, IReadOnlyList<EligibleReason> Options);

/// <summary>A reason's id and its label in the negotiated locale.</summary>
public sealed record EligibleReason(string Id, string Label);

/// <summary>The scale the widget draws (<c>min</c> to <c>max</c>) and its categories, lowest first, which pick the follow-up prompt.</summary>
public sealed record SurveyScale(int Min, int Max, IReadOnlyList<ScoreCategory> Categories);

/// <summary>Settings of the <c>Eligibility</c> section.</summary>
public sealed class EligibilityOptions
{
    public const string Section = "Eligibility";

    /// <summary>How long a display token can answer or dismiss its display.</summary>
    [Range(1, 365)]
    public int DisplayTokenDays { get; set; } = 7;

    /// <summary>
    /// An unchanged user's last-seen time is rewritten only when it is at least this old, so
    /// repeated calls for the same user are read-only. 0 writes it on every call.
    /// </summary>
    [Range(0, 1440)]
    public int LastSeenResolutionMinutes { get; set; } = 60;

    /// <summary>
    /// How long a "not eligible" answer is reused for the same unchanged request (injected clock).
    /// It bounds how late a user whose throttle has just run out sees the survey. 0 turns it off.
    /// </summary>
    [Range(0, 3600)]
    public int DecisionCacheSeconds { get; set; } = 60;

    /// <summary>Most cached answers kept; past it the cache starts over.</summary>
    [Range(1, 10_000_000)]
    public int DecisionCacheEntries { get; set; } = 200_000;
}
