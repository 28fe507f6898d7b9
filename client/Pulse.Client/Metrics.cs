namespace Pulse.Client;

/// <summary>What <c>GET /v1/metrics/nps</c> reads: a range, optionally as a series and by segment.</summary>
public sealed record NpsQuery
{
    /// <summary>One survey (<c>srv_…</c>); null for every NPS survey of the workspace together.</summary>
    public string? SurveyId { get; init; }

    /// <summary>Start of the range (inclusive). Default: 90 days before the end. Set this or <see cref="FromDate"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the range (exclusive). Default: now. Set this or <see cref="ToDate"/>.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>First day of the range, from its start in <see cref="TimeZone"/>.</summary>
    public DateOnly? FromDate { get; init; }

    /// <summary>Last day of the range, to its end in <see cref="TimeZone"/> (so January 1–31 is all of January).</summary>
    public DateOnly? ToDate { get; init; }

    /// <summary>Adds <see cref="NpsReport.Series"/>, one point per period.</summary>
    public NpsInterval? Interval { get; init; }

    /// <summary>An IANA time zone (<c>Europe/Berlin</c>) for period boundaries and dates; default UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>A trait key (<c>plan</c>, <c>csm</c>, …): adds <see cref="NpsReport.Groups"/>, one per value.</summary>
    public string? GroupBy { get; init; }

    /// <summary>Only displays whose trait snapshot has these values (<c>plan</c> = <c>enterprise</c>), combined with AND.</summary>
    public IReadOnlyDictionary<string, string>? Where { get; init; }
}

/// <summary>The length of a series' periods.</summary>
public enum NpsInterval
{
    /// <summary>Calendar days.</summary>
    Day,

    /// <summary>ISO weeks, starting Monday.</summary>
    Week,

    /// <summary>Calendar months.</summary>
    Month,

    /// <summary>Calendar quarters.</summary>
    Quarter,
}

/// <summary>NPS of a range, with its series and segments when asked for.</summary>
/// <param name="Nps">% promoters − % detractors (−100…100, to 0.1); null without responses.</param>
/// <param name="Promoters">Responses 9–10.</param>
/// <param name="Passives">Responses 7–8.</param>
/// <param name="Detractors">Responses 0–6.</param>
/// <param name="Responses">All responses.</param>
/// <param name="Displays">Surveys shown.</param>
/// <param name="ResponseRate">Responses ÷ displays; null when nothing was shown.</param>
/// <param name="MarginOfError">95 % margin in NPS points; null without responses.</param>
/// <param name="LowSample">True below 30 responses.</param>
/// <param name="Series">One point per period when <see cref="NpsQuery.Interval"/> was given.</param>
/// <param name="Groups">One per trait value when <see cref="NpsQuery.GroupBy"/> was given, biggest first.</param>
public sealed record NpsReport(
    double? Nps,
    long Promoters,
    long Passives,
    long Detractors,
    long Responses,
    long Displays,
    double? ResponseRate,
    double? MarginOfError,
    bool LowSample,
    IReadOnlyList<NpsPoint>? Series,
    IReadOnlyList<NpsGroup>? Groups);

/// <summary>One period of a series.</summary>
/// <param name="Start">The local start of the period, with its offset.</param>
/// <param name="Nps">NPS of the period; null without responses.</param>
/// <param name="Promoters">Responses 9–10.</param>
/// <param name="Passives">Responses 7–8.</param>
/// <param name="Detractors">Responses 0–6.</param>
/// <param name="Responses">All responses.</param>
/// <param name="Displays">Surveys shown.</param>
/// <param name="ResponseRate">Responses ÷ displays.</param>
/// <param name="MarginOfError">95 % margin in NPS points.</param>
/// <param name="LowSample">True below 30 responses.</param>
public sealed record NpsPoint(
    DateTimeOffset Start,
    double? Nps,
    long Promoters,
    long Passives,
    long Detractors,
    long Responses,
    long Displays,
    double? ResponseRate,
    double? MarginOfError,
    bool LowSample);

/// <summary>One segment: the displays and responses whose trait snapshot had the grouped trait = <see cref="Value"/>.</summary>
/// <param name="Value">The trait's value, as text.</param>
/// <param name="Nps">NPS of the segment; null without responses.</param>
/// <param name="Promoters">Responses 9–10.</param>
/// <param name="Passives">Responses 7–8.</param>
/// <param name="Detractors">Responses 0–6.</param>
/// <param name="Responses">All responses.</param>
/// <param name="Displays">Surveys shown.</param>
/// <param name="ResponseRate">Responses ÷ displays.</param>
/// <param name="MarginOfError">95 % margin in NPS points.</param>
/// <param name="LowSample">True below 30 responses.</param>
/// <param name="Series">The segment's series when an interval was asked for.</param>
public sealed record NpsGroup(
    string Value,
    double? Nps,
    long Promoters,
    long Passives,
    long Detractors,
    long Responses,
    long Displays,
    double? ResponseRate,
    double? MarginOfError,
    bool LowSample,
    IReadOnlyList<NpsPoint>? Series);
