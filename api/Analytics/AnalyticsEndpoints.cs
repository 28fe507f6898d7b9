using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Operations;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Analytics;

/// <summary>
/// The secret-key read side: NPS over time and by segment, the response list and its CSV export,
/// and NPS per account. Every request is scoped to the caller's workspace; a survey id of another
/// workspace answers 404.
/// </summary>
public static class AnalyticsEndpoints
{
    /// <summary>The range read when a request names no <c>from</c>.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(90);

    public static IHostApplicationBuilder AddAnalytics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IWriteHook, NpsAggregateHook>();
        builder.Services.AddSingleton<MetricsStore>();
        builder.Services.AddSingleton<ResponseReadStore>();
        builder.Services.AddSingleton<AccountStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Analytics").RequireAuthorization(PulseAuth.SecretKeyPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/metrics/nps", GetNps).WithName("GetNps")
            .WithSummary("NPS, counts, response rate and 95 % margin of error for a range; a series per interval and groups per trait.");
        group.MapGet("/responses", ListResponses).WithName("ListResponses")
            .WithSummary("Responses newest first with the display's trait snapshot; cursor paging.");
        group.MapGet("/responses.csv", ExportResponses).WithName("ExportResponses")
            .WithSummary("The matching responses as CSV, streamed, trait snapshot keys as columns.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        group.MapGet("/accounts", ListAccounts).WithName("ListAccounts")
            .WithSummary("NPS, respondents and ARR per account (trait accountId) with the ARR × NPS quadrant.");
        return app;
    }

    static Results<Ok<NpsReport>, ValidationProblem> GetNps(
        HttpRequest request, ClaimsPrincipal user, MetricsStore store, TimeProvider time,
        string? surveyId, [FromQuery(Name = "from")] string? from, string? to, string? interval, string? tz, string? groupBy)
    {
        var args = new QueryArgs(request.Query, "surveyId", "from", "to", "interval", "tz", "groupBy", "where");
        var zone = args.Zone("tz");
        var step = args.Interval("interval");
        var group = args.TraitKey("groupBy");
        var where = args.Where();
        var (start, end) = Range(args, zone, time);
        if (!args.Ok)
            return Invalid(args);
        var buckets = TimeBuckets.Split(start, end, step, zone);
        if (buckets is null)
        {
            args.Fail("interval", $"The range has more than {TimeBuckets.MaxPoints} {interval} intervals; choose a coarser interval or a shorter range.");
            return Invalid(args);
        }
        var surveys = SurveysOrNotFound(store, user, args.Text("surveyId"));
        return TypedResults.Ok(store.Read(new MetricsQuery(surveys, start, end, step, zone, group, where), buckets));
    }

    static Results<Ok<ResponsePage>, ValidationProblem> ListResponses(
        HttpRequest request, ClaimsPrincipal user, ResponseReadStore responses, MetricsStore surveys, TimeProvider time,
        string? surveyId, string? category, [FromQuery(Name = "from")] string? from, string? to, string? q, string? cursor, string? limit)
    {
        var args = new QueryArgs(request.Query, "surveyId", "category", "from", "to", "where", "q", "cursor", "limit");
        var filter = Filter(args, user, surveys, time);
        var size = args.Int("limit", 50, 1, 200);
        ResponseCursor? position = null;
        if (args.Text("cursor") is { } text)
        {
            if (ResponseCursor.TryDecode(text, out var decoded))
                position = decoded;
            else
                args.Fail("cursor", "Not a cursor this API returned; pass nextCursor back unchanged.");
        }
        if (!args.Ok || filter is null)
            return Invalid(args);
        return TypedResults.Ok(responses.List(filter, position, size));
    }

    static Results<PushStreamHttpResult, ValidationProblem> ExportResponses(
        HttpRequest request, ClaimsPrincipal user, ResponseReadStore responses, MetricsStore surveys, TimeProvider time,
        string? surveyId, string? category, [FromQuery(Name = "from")] string? from, string? to, string? q)
    {
        var args = new QueryArgs(request.Query, "surveyId", "category", "from", "to", "where", "q");
        var filter = Filter(args, user, surveys, time);
        if (!args.Ok || filter is null)
            return Invalid(args);
        var keys = responses.TraitKeysOf(filter);
        var aborted = request.HttpContext.RequestAborted;
        return TypedResults.Stream(body => CsvExport.WriteAsync(body, keys, responses.Stream(filter), aborted),
            "text/csv; charset=utf-8", "responses.csv");
    }

    static Results<Ok<AccountList>, ValidationProblem> ListAccounts(
        HttpRequest request, ClaimsPrincipal user, AccountStore accounts, MetricsStore store, TimeProvider time,
        string? surveyId, [FromQuery(Name = "from")] string? from, string? to, string? arrThreshold, string? npsThreshold,
        string? quadrant, string? sort, string? limit)
    {
        var args = new QueryArgs(request.Query, "surveyId", "from", "to", "where", "arrThreshold", "npsThreshold", "quadrant", "sort", "limit");
        var where = args.Where();
        var (start, end) = Range(args, TimeZoneInfo.Utc, time);
        var arr = args.Number("arrThreshold", 0, double.MaxValue);
        var nps = args.Number("npsThreshold", -100, 100) ?? 0;
        var size = args.Int("limit", 100, 1, 1000);
        var wanted = args.Text("quadrant");
        if (wanted is not null && !AccountStore.Quadrants.Contains(wanted))
            args.Fail("quadrant", $"Must be one of {string.Join(", ", AccountStore.Quadrants)}.");
        var order = args.Text("sort") ?? "-arr";
        var descending = order.StartsWith('-');
        var sortKey = descending ? order[1..] : order;
        if (!AccountStore.SortKeys.Contains(sortKey))
            args.Fail("sort", $"Must be one of {string.Join(", ", AccountStore.SortKeys)}, with '-' in front for descending.");
        if (!args.Ok)
            return Invalid(args);
        var surveys = SurveysOrNotFound(store, user, args.Text("surveyId"));
        return TypedResults.Ok(accounts.List(new AccountQuery(surveys, start, end, where, arr, nps, wanted, sortKey, descending, size)));
    }

    /// <summary>The filters of the list and the export; null (with errors noted) when a parameter is bad.</summary>
    static ResponseFilter? Filter(QueryArgs args, ClaimsPrincipal user, MetricsStore surveys, TimeProvider time)
    {
        var where = args.Where();
        var (start, end) = Range(args, TimeZoneInfo.Utc, time, defaultAll: true);
        IReadOnlyList<string>? categories = null;
        if (args.Text("category") is { } text)
        {
            categories = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (categories.Count == 0 || categories.Any(c => c is not (NpsCategory.Promoter or NpsCategory.Passive or NpsCategory.Detractor)))
                args.Fail("category", "Must be promoter, passive or detractor, or several separated by commas.");
        }
        var search = args.Text("q");
        if (search is { Length: 0 or > 200 })
            args.Fail("q", "Search text has 1 to 200 characters.");
        if (!args.Ok)
            return null;
        var surveyId = args.Text("surveyId");
        if (surveyId is not null)
            SurveysOrNotFound(surveys, user, surveyId);
        return new ResponseFilter(user.WorkspaceId(), surveyId, start, end, categories, where, search);
    }

    /// <summary>
    /// <c>[from, to)</c> in Unix ms. <c>to</c> defaults to now; <c>from</c> to 90 days before
    /// <c>to</c>, or to the beginning for the list and the export (<paramref name="defaultAll"/>).
    /// </summary>
    static (long From, long To) Range(QueryArgs args, TimeZoneInfo zone, TimeProvider time, bool defaultAll = false)
    {
        var to = args.Instant("to", zone, endOfDay: true);
        var end = to ?? (defaultAll ? long.MaxValue : time.GetUtcNow().ToUnixTimeMilliseconds());
        var start = args.Instant("from", zone, endOfDay: false)
            ?? (defaultAll ? long.MinValue : end - (long)DefaultRange.TotalMilliseconds);
        if (start > end)
            args.Fail("to", "Must not be before from.");
        return (start, end);
    }

    static IReadOnlyList<string> SurveysOrNotFound(MetricsStore store, ClaimsPrincipal user, string? surveyId) =>
        store.Surveys(user.WorkspaceId(), surveyId)
        ?? throw new ProblemException(404, "Survey not found", $"There is no survey '{surveyId}' in this workspace.");

    static ValidationProblem Invalid(QueryArgs args) =>
        TypedResults.ValidationProblem(args.Errors, detail: args.Detail, title: "Invalid query parameters");
}
