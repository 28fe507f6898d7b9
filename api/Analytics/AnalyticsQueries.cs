using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Pulse.Api.Analytics;

// The query parameters of the analytics endpoints, each bound once by the framework
// ([AsParameters]) and described in the OpenAPI document from these declarations. Values arrive
// as text and are checked by QueryArgs, so every bad value is a 400 that names its parameter.

/// <summary>The filters the response list and its CSV export share.</summary>
public interface IResponseFilterQuery
{
    string? SurveyId { get; }
    string? Category { get; }
    string? From { get; }
    string? To { get; }
    string? Q { get; }
    string? WithComment { get; }
    TraitFilters? Where { get; }

    string? Tag { get; }
}

/// <summary><c>GET /v1/metrics/nps</c>.</summary>
public sealed record NpsQuery(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description(QueryText.From)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    [property: Description("day, week, month or quarter: adds a series with one point per interval.")][FromQuery(Name = "interval")] string? Interval,
    [property: Description("IANA time zone of dates and intervals (default UTC), e.g. Europe/Berlin.")][FromQuery(Name = "tz")] string? Tz,
    [property: Description("A trait key: adds one group per value of that trait in each response's snapshot; locale or variant: one group per locale or A/B variant the display showed (with variant, comparisons too).")][FromQuery(Name = "groupBy")] string? GroupBy,
    TraitFilters? Where,
    [property: Description("With groupBy on a numeric trait: ascending band edges, e.g. 1000,10000,100000; the groups become <1000, 1000-10000, …, >=100000.")][FromQuery(Name = "bands")] string? Bands = null,
    [property: Description(QueryText.Tag + " Answers only (displays are not tagged): displays and responseRate count nothing.")][FromQuery(Name = "tag")] string? Tag = null);

/// <summary><c>GET /v1/metrics/scores</c>.</summary>
public sealed record ScoresQuery(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description(QueryText.From)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    TraitFilters? Where);

/// <summary><c>GET /v1/metrics/reasons</c>.</summary>
public sealed record ReasonsQueryArgs(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description("Only answers of this category: detractor, passive, promoter (NPS, eNPS), dissatisfied, neutral, satisfied (CSAT), difficult, neutral, easy (CES). All answers when absent.")][FromQuery(Name = "category")] string? Category,
    [property: Description(QueryText.From)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    [property: Description("A trait key (or locale, variant): adds the reasons of each value of that trait.")][FromQuery(Name = "groupBy")] string? GroupBy,
    TraitFilters? Where);

/// <summary><c>GET /v1/responses</c>.</summary>
public sealed record ResponseListQuery(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description(QueryText.Category)][FromQuery(Name = "category")] string? Category,
    [property: Description(QueryText.FromAll)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    [property: Description(QueryText.Q)][FromQuery(Name = "q")] string? Q,
    [property: Description("The nextCursor of the previous page, unchanged.")][FromQuery(Name = "cursor")] string? Cursor,
    [property: Description("Responses per page, 1–200 (default 50).")][FromQuery(Name = "limit")] string? Limit,
    TraitFilters? Where,
    [property: Description(QueryText.WithComment)][FromQuery(Name = "withComment")] string? WithComment = null,
    [property: Description(QueryText.Tag)][FromQuery(Name = "tag")] string? Tag = null) : IResponseFilterQuery;

/// <summary><c>GET /v1/responses.csv</c>.</summary>
public sealed record ResponseExportQuery(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description(QueryText.Category)][FromQuery(Name = "category")] string? Category,
    [property: Description(QueryText.FromAll)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    [property: Description(QueryText.Q)][FromQuery(Name = "q")] string? Q,
    TraitFilters? Where,
    [property: Description(QueryText.WithComment)][FromQuery(Name = "withComment")] string? WithComment = null,
    [property: Description(QueryText.Tag)][FromQuery(Name = "tag")] string? Tag = null) : IResponseFilterQuery;

/// <summary><c>GET /v1/accounts</c>.</summary>
public sealed record AccountsQuery(
    [property: Description(QueryText.SurveyId)][FromQuery(Name = "surveyId")] string? SurveyId,
    [property: Description(QueryText.From)][FromQuery(Name = "from")] string? From,
    [property: Description(QueryText.To)][FromQuery(Name = "to")] string? To,
    [property: Description("ARR at or above which an account is high-ARR (default: the median ARR of the accounts listed).")][FromQuery(Name = "arrThreshold")] string? ArrThreshold,
    [property: Description("NPS at or above which an account is healthy, -100 to 100 (default 0).")][FromQuery(Name = "npsThreshold")] string? NpsThreshold,
    [property: Description("Only one quadrant: champion (high ARR, high NPS), at_risk (high ARR, low NPS), grow (low ARR, high NPS) or monitor (low, low).")][FromQuery(Name = "quadrant")] string? Quadrant,
    [property: Description("Only one health band: healthy, watch or at_risk.")][FromQuery(Name = "band")] string? Band,
    [property: Description("arr, nps, respondents, responses, health, accountId or accountName; '-' in front for descending (default -arr).")][FromQuery(Name = "sort")] string? Sort,
    [property: Description("Accounts per answer, 1–1000 (default 100).")][FromQuery(Name = "limit")] string? Limit,
    TraitFilters? Where);

static class QueryText
{
    public const string SurveyId = "Only this survey (all surveys of the workspace when absent).";
    public const string From = "Start: a date (2026-01-31, its start in tz) or an ISO 8601 date-time with Z or an offset. Default: 90 days before to.";
    public const string FromAll = "Start: a date (2026-01-31) or an ISO 8601 date-time with Z or an offset. Default: the first response.";
    public const string To = "End: a date (its whole day is included) or an ISO 8601 date-time with Z or an offset. Default: now.";
    public const string Tag = "Only responses that carry this tag (case does not matter).";
    public const string Category = "A category of the survey's kind — promoter, passive, detractor (nps, enps); satisfied, neutral, dissatisfied (csat); easy, neutral, difficult (ces) — or several separated by commas.";
    public const string Q = "Text to find in comments, 1–200 characters.";
    public const string WithComment = "true: only responses with a comment; false or absent: all.";
}
