using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Api.Analytics;

/// <summary><c>GET /v1/metrics/nps</c>: the headline of the range (<see cref="NpsStats"/>), its series and its segments.</summary>
public sealed record NpsReport : NpsStats
{
    public NpsReport() { }

    public NpsReport(NpsStats headline, IReadOnlyList<NpsPoint>? series, IReadOnlyList<NpsGroup>? groups) : base(headline)
    {
        Series = series;
        Groups = groups;
    }

    [JsonPropertyOrder(1)]
    public IReadOnlyList<NpsPoint>? Series { get; init; }

    [JsonPropertyOrder(1)]
    public IReadOnlyList<NpsGroup>? Groups { get; init; }

    /// <summary>With <c>groupBy=variant</c>: each variant against the baseline (<see cref="VariantStatistics"/>).</summary>
    [JsonPropertyOrder(2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<VariantComparison>? Comparisons { get; init; }
}

/// <summary>One point of a series: the period starting at <c>Start</c> (local time with offset, Z for UTC).</summary>
public sealed record NpsPoint : NpsStats
{
    public NpsPoint() { }

    public NpsPoint(string start, NpsStats stats) : base(stats) => Start = start;

    [JsonPropertyOrder(-1)]
    public string Start { get; init; } = "";
}

/// <summary>
/// One segment: the displays and responses whose trait snapshot had <c>groupBy</c> = <c>Value</c>;
/// with <c>bands</c>, a band of values from <c>BandFrom</c> (included) to <c>BandTo</c> (excluded, null: no bound).
/// </summary>
public sealed record NpsGroup : NpsStats
{
    public NpsGroup() { }

    public NpsGroup(string value, NpsStats stats, IReadOnlyList<NpsPoint>? series, double? bandFrom = null, double? bandTo = null) : base(stats)
    {
        Value = value;
        Series = series;
        BandFrom = bandFrom;
        BandTo = bandTo;
    }

    [JsonPropertyOrder(-1)]
    public string Value { get; init; } = "";

    [JsonPropertyOrder(1)]
    public IReadOnlyList<NpsPoint>? Series { get; init; }

    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandFrom { get; init; }

    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandTo { get; init; }
}

/// <summary>One response as the list shows it, with the snapshot of the display it answered.</summary>
public sealed record ResponseItem(
    long Id,
    string SurveyId,
    string UserId,
    string? Email,
    int Score,
    string Category,
    string? Comment,
    JsonElement? FollowUp,
    JsonElement Traits,
    string? Url,
    string? Locale,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Tags)
{
    /// <summary>The reason ids chosen in the reasons question (<c>other</c> for "Other"); empty when not answered.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The text of "Other", or null.</summary>
    public string? ReasonOther { get; init; }
}

/// <summary>
/// <c>GET /v1/responses</c>: newest first; pass <c>nextCursor</c> back as <c>cursor</c> for the next page.
/// <c>Total</c>, the number of responses that match, comes with the first page (no cursor) only.
/// </summary>
public sealed record ResponsePage(
    IReadOnlyList<ResponseItem> Items,
    string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Total = null);

/// <summary>
/// <c>GET /v1/responses/{responseId}</c>: one response, and the same user's answers in this
/// workspace (every survey, the newest <see cref="ResponseDetail.MaxUserResponses"/>, oldest first,
/// this one among them) for the trend of their scores.
/// </summary>
public sealed record ResponseDetail(ResponseItem Response, IReadOnlyList<ResponseItem> UserResponses)
{
    public const int MaxUserResponses = 50;
}

/// <summary>One account of <c>GET /v1/accounts</c>: its NPS, respondents, ARR and ARR × NPS quadrant.</summary>
public sealed record AccountItem(
    string AccountId,
    string? AccountName,
    double? Nps,
    long Respondents,
    double? Arr,
    string? Quadrant,
    long Responses,
    long Promoters,
    long Passives,
    long Detractors,
    double? MarginOfError,
    bool LowSample,
    AccountHealth Health);

/// <summary><c>GET /v1/accounts</c>: the accounts and the thresholds that drew the quadrants.</summary>
public sealed record AccountList(IReadOnlyList<AccountItem> Items, double? ArrThreshold, double NpsThreshold);
