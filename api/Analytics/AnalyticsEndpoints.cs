using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
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
        builder.Services.AddWriteHook<NpsAggregateHook>();
        builder.Services.AddWriteHook<AccountAggregateHook>();
        builder.Services.AddWriteHook<ReasonAggregateHook>();
        builder.Services.AddWriteHook<NextAnswerHook>();
        builder.Services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section);
        builder.Services.AddHostedService<PairAggregateSync>();
        builder.Services.AddWriteHook<CommentSearch>();
        builder.Services.AddHostedService<CommentSearchFill>();
        builder.Services.AddSingleton<MetricsStore>();
        builder.Services.AddSingleton<ResponseReadStore>();
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<ScoreDistributionStore>();
        builder.Services.AddSingleton<ReasonsStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Analytics")
            .ProducesProblem(StatusCodes.Status404NotFound).WithMetadata(TraitFilters.OpenApi);
        group.MapGet("/metrics/nps", GetNps).WithName("GetNps").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("NPS, counts, response rate and 95 % margin of error for a range; a series per interval and groups per trait.");
        group.MapGet("/metrics/enps", GetEnps).WithName("GetEnps").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("eNPS of the enps surveys, reported exactly like NPS: counts, response rate, 95 % margin, series and groups.");
        group.MapGet("/metrics/csat", GetCsat).WithName("GetCsat").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("CSAT of the csat surveys: % satisfied (4–5 of 1–5) with its 95 % margin, the categories, response rate; series and groups as NPS.");
        group.MapGet("/metrics/ces", GetCes).WithName("GetCes").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("CES of the ces surveys: mean score (1–7) and % easy (5–7), each with its 95 % margin, the categories, response rate; series and groups as NPS.");
        group.MapGet("/metrics/scores", GetScores).WithName("GetScoreDistribution").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("Responses per score 0–10 for a survey (all when absent), a date range (from, to) and trait filters (where[trait]=value).");
        group.MapGet("/metrics/reasons", GetReasons).WithName("GetReasons").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("The reasons chosen in the reasons question: counts and shares of the respondents who answered it, against the previous period of equal length; per category, trait filters, groups by a trait.");
        group.MapGet("/responses", ListResponses).WithName("ListResponses").RequirePermission(Permissions.ReadResponses)
            .WithSummary("Responses newest first with the display's trait snapshot; cursor paging.");
        group.MapGet("/responses.csv", ExportResponses).WithName("ExportResponses").RequirePermission(Permissions.ExportResponses)
            .WithSummary("The matching responses as CSV, streamed, trait snapshot keys as columns.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        group.MapGet("/accounts", ListAccounts).WithName("ListAccounts").RequirePermission(Permissions.ReadAnalytics)
            .WithSummary("NPS, respondents and ARR per account (trait accountId) with the ARR × NPS quadrant, and each account's health score, band and parts (sort=health, band=at_risk).");
        // Outside the group: one response by id takes no trait filters.
        app.MapGet("/v1/responses/{responseId}", GetResponse).WithTags("Analytics").WithName("GetResponse").RequirePermission(Permissions.ReadResponses)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One response with the same user's answers in this workspace (oldest first, the newest 50), for the trend of their scores.");
        return app;
    }

    static Results<Ok<NpsReport>, ValidationProblem, ProblemHttpResult> GetNps(
        [AsParameters] NpsQuery query, HttpRequest request, ClaimsPrincipal user, MetricsStore store, SurveyStore surveyStore, SurveyKinds kinds, TimeProvider time) =>
        Metrics(QuestionKinds.Nps, query, request, user, store, surveyStore, kinds, time);

    static Results<Ok<NpsReport>, ValidationProblem, ProblemHttpResult> GetEnps(
        [AsParameters] NpsQuery query, HttpRequest request, ClaimsPrincipal user, MetricsStore store, SurveyStore surveyStore, SurveyKinds kinds, TimeProvider time) =>
        Metrics(QuestionKinds.Enps, query, request, user, store, surveyStore, kinds, time);

    static Results<Ok<KindReport>, ValidationProblem, ProblemHttpResult> GetCsat(
        [AsParameters] NpsQuery query, HttpRequest request, ClaimsPrincipal user, MetricsStore store, SurveyStore surveyStore, SurveyKinds kinds, TimeProvider time) =>
        OfKind(QuestionKinds.Csat, Metrics(QuestionKinds.Csat, query, request, user, store, surveyStore, kinds, time));

    static Results<Ok<KindReport>, ValidationProblem, ProblemHttpResult> GetCes(
        [AsParameters] NpsQuery query, HttpRequest request, ClaimsPrincipal user, MetricsStore store, SurveyStore surveyStore, SurveyKinds kinds, TimeProvider time) =>
        OfKind(QuestionKinds.Ces, Metrics(QuestionKinds.Ces, query, request, user, store, surveyStore, kinds, time));

    static Results<Ok<KindReport>, ValidationProblem, ProblemHttpResult> OfKind(QuestionKind kind, Results<Ok<NpsReport>, ValidationProblem, ProblemHttpResult> read) =>
        read.Result switch
        {
            Ok<NpsReport> ok => TypedResults.Ok(KindReport.From(kind, ok.Value!)),
            ValidationProblem invalid => invalid,
            var problem => (ProblemHttpResult)problem,
        };

    /// <summary>
    /// The metrics of the surveys of one kind (all of the workspace's, or the one <c>surveyId</c>
    /// names, which must be of that kind), read from the aggregates in the counts every kind shares.
    /// </summary>
    static Results<Ok<NpsReport>, ValidationProblem, ProblemHttpResult> Metrics(QuestionKind kind,
        NpsQuery query, HttpRequest request, ClaimsPrincipal user, MetricsStore store, SurveyStore surveyStore, SurveyKinds kinds, TimeProvider time)
    {
        var args = QueryArgs.For<NpsQuery>(request.Query);
        var zone = args.Zone("tz", query.Tz);
        var step = args.Interval("interval", query.Interval);
        var group = args.TraitKey("groupBy", query.GroupBy) is { } name ? DisplayFields.KeyOf(name) : null;
        var where = args.Where(query.Where).ToDictionary(f => DisplayFields.KeyOf(f.Key), f => f.Value, StringComparer.Ordinal);
        var (start, end) = Range(args, query.From, query.To, zone, time);
        IReadOnlyList<double>? bands = null;
        if (query.Bands is { } edges)
        {
            bands = TraitBands.Parse(edges, out var bandError);
            if (bandError is not null)
                args.Fail("bands", bandError);
            else if (group is null)
                args.Fail("bands", "Bands group the values of groupBy; give groupBy too, e.g. groupBy=arr&bands=1000,10000.");
        }
        if (query.Tag is not null && TagSql.NameError(query.Tag) is { } tagError)
            args.Fail("tag", tagError);
        if (!args.Ok)
            return Invalid(args);
        var buckets = TimeBuckets.Split(start, end, step, zone);
        if (buckets is null)
        {
            args.Fail("interval", $"The range has more than {TimeBuckets.MaxPoints} {query.Interval} intervals; choose a coarser interval or a shorter range.");
            return Invalid(args);
        }
        if (surveyStore.Ids(user.WorkspaceId(), query.SurveyId, SurveyUse.Reports, kind.Name) is not { } surveys)
            return SurveyEndpoints.NotFound(query.SurveyId);
        if (query.SurveyId is not null && kinds.Of(surveys[0]) is { } asked && asked != kind)
        {
            args.Fail("surveyId", $"This survey asks {asked.Name}, not {kind.Name}; read GET /v1/metrics/{asked.Name}.");
            return Invalid(args);
        }
        var report = store.Read(new MetricsQuery(surveys, start, end, step, zone, group, where, bands, query.Tag?.Trim()), buckets);
        return TypedResults.Ok(group == DisplayFields.Variant && report.Groups is { } variants && (kind == QuestionKinds.Nps || kind == QuestionKinds.Enps)
            ? report with { Comparisons = VariantStatistics.Compare(variants) }
            : report);
    }

    static Results<Ok<ScoreDistributionResponse>, ValidationProblem, ProblemHttpResult> GetScores(
        [AsParameters] ScoresQuery query, HttpRequest request, ClaimsPrincipal user, ScoreDistributionStore store, SurveyStore surveyStore, TimeProvider time)
    {
        var args = QueryArgs.For<ScoresQuery>(request.Query);
        var where = args.Where(query.Where).ToDictionary(f => DisplayFields.KeyOf(f.Key), f => f.Value, StringComparer.Ordinal);
        var (start, end) = Range(args, query.From, query.To, TimeZoneInfo.Utc, time);
        if (!args.Ok)
            return Invalid(args);
        if (surveyStore.Ids(user.WorkspaceId(), query.SurveyId, SurveyUse.Reports) is not { } surveys)
            return SurveyEndpoints.NotFound(query.SurveyId);
        return TypedResults.Ok(store.Count(surveys, start, end, where));
    }

    static Results<Ok<ReasonsReport>, ValidationProblem, ProblemHttpResult> GetReasons(
        [AsParameters] ReasonsQueryArgs query, HttpRequest request, ClaimsPrincipal user, ReasonsStore store, SurveyStore surveyStore, TimeProvider time)
    {
        var args = QueryArgs.For<ReasonsQueryArgs>(request.Query);
        var group = args.TraitKey("groupBy", query.GroupBy) is { } name ? DisplayFields.KeyOf(name) : null;
        var where = args.Where(query.Where).ToDictionary(f => DisplayFields.KeyOf(f.Key), f => f.Value, StringComparer.Ordinal);
        var (start, end) = Range(args, query.From, query.To, TimeZoneInfo.Utc, time);
        var categories = new[] { "nps", "csat", "ces" }.SelectMany(k => ScoreCategories.Of(k).Select(b => b.Category)).Distinct().ToList();
        if (query.Category is { } category && !categories.Contains(category))
            args.Fail("category", $"Must be one of {string.Join(", ", categories)}.");
        if (!args.Ok)
            return Invalid(args);
        if (surveyStore.Ids(user.WorkspaceId(), query.SurveyId, SurveyUse.Reports) is not { } surveys)
            return SurveyEndpoints.NotFound(query.SurveyId);
        var labels = ReasonsStore.Labels(surveyStore.List(user.WorkspaceId()));
        return TypedResults.Ok(store.Read(new ReasonsQuery(surveys, start, end, query.Category, where, group), labels));
    }

    static Results<Ok<ResponsePage>, ValidationProblem, ProblemHttpResult> ListResponses(
        [AsParameters] ResponseListQuery query, HttpRequest request, ClaimsPrincipal user, ResponseReadStore responses, SurveyStore surveys, TimeProvider time)
    {
        var args = QueryArgs.For<ResponseListQuery>(request.Query);
        var filter = Filter(args, query, user, surveys, time, out var notFound);
        var size = args.Int("limit", query.Limit, 50, 1, 200);
        ResponseCursor? position = null;
        if (query.Cursor is { } text)
        {
            if (ResponseCursor.TryDecode(text, out var decoded))
                position = decoded;
            else
                args.Fail("cursor", "Not a cursor this API returned; pass nextCursor back unchanged.");
        }
        if (notFound is not null)
            return notFound;
        if (!args.Ok || filter is null)
            return Invalid(args);
        return TypedResults.Ok(responses.List(filter, position, size));
    }

    static Results<Ok<ResponseDetail>, ProblemHttpResult> GetResponse(string responseId, ClaimsPrincipal user, ResponseReadStore responses) =>
        long.TryParse(responseId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
        && responses.Detail(user.WorkspaceId(), id, ResponseDetail.MaxUserResponses) is { } detail
            ? TypedResults.Ok(detail)
            : Problems.NotFound($"There is no response '{FreeText.Printable(responseId)}' in this workspace; take the id from GET /v1/responses.");

    static Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult> ExportResponses(
        [AsParameters] ResponseExportQuery query, HttpRequest request, ClaimsPrincipal user, ResponseReadStore responses, SurveyStore surveys, SurveyKinds kinds,
        TimeProvider time)
    {
        var args = QueryArgs.For<ResponseExportQuery>(request.Query);
        var filter = Filter(args, query, user, surveys, time, out var notFound);
        if (notFound is not null)
            return notFound;
        if (filter is null)
            return Invalid(args);
        var keys = responses.TraitKeysOf(filter);
        var aborted = request.HttpContext.RequestAborted;
        return TypedResults.Stream(body => CsvExport.WriteAsync(body, keys, responses.Stream(filter), aborted, id => kinds.Of(id).Name),
            "text/csv; charset=utf-8", "responses.csv");
    }

    static Results<Ok<AccountList>, ValidationProblem, ProblemHttpResult> ListAccounts(
        [AsParameters] AccountsQuery query, HttpRequest request, ClaimsPrincipal user, AccountStore accounts, SurveyStore surveyStore, TimeProvider time)
    {
        var args = QueryArgs.For<AccountsQuery>(request.Query);
        var where = args.Where(query.Where);
        var (start, end) = Range(args, query.From, query.To, TimeZoneInfo.Utc, time);
        var arr = args.Number("arrThreshold", query.ArrThreshold, 0, double.MaxValue);
        var nps = args.Number("npsThreshold", query.NpsThreshold, -100, 100) ?? 0;
        var size = args.Int("limit", query.Limit, 100, 1, 1000);
        var wanted = query.Quadrant;
        if (wanted is not null && !AccountStore.Quadrants.Contains(wanted))
            args.Fail("quadrant", $"Must be one of {string.Join(", ", AccountStore.Quadrants)}.");
        if (query.Band is { } band && !AccountHealthMath.Bands.Contains(band))
            args.Fail("band", $"Must be one of {string.Join(", ", AccountHealthMath.Bands)}.");
        var order = query.Sort ?? "-arr";
        var descending = order.StartsWith('-');
        var sortKey = descending ? order[1..] : order;
        if (!AccountStore.SortKeys.Contains(sortKey))
            args.Fail("sort", $"Must be one of {string.Join(", ", AccountStore.SortKeys)}, with '-' in front for descending.");
        if (!args.Ok)
            return Invalid(args);
        if (surveyStore.Ids(user.WorkspaceId(), query.SurveyId, SurveyUse.Reports) is not { } surveys)
            return SurveyEndpoints.NotFound(query.SurveyId);
        return TypedResults.Ok(accounts.List(new AccountQuery(surveys, start, end, where, arr, nps, wanted, sortKey, descending, size,
            user.WorkspaceId(), query.Band, time.GetUtcNow().ToUnixTimeMilliseconds())));
    }

    /// <summary>
    /// The filters of the list and the export; null when a parameter is bad (errors noted in
    /// <paramref name="args"/>) or the survey is unknown (<paramref name="notFound"/>).
    /// </summary>
    static ResponseFilter? Filter(QueryArgs args, IResponseFilterQuery query, ClaimsPrincipal user, SurveyStore surveys, TimeProvider time,
        out ProblemHttpResult? notFound)
    {
        notFound = null;
        var where = args.Where(query.Where);
        var (start, end) = Range(args, query.From, query.To, TimeZoneInfo.Utc, time, defaultAll: true);
        IReadOnlyList<string>? categories = null;
        if (query.Category is { } text)
        {
            categories = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (categories.Count == 0 || categories.Any(c => !QuestionKinds.AllCategories.Contains(c)))
                args.Fail("category", $"Must be a category of the surveys' kind ({string.Join(", ", QuestionKinds.AllCategories)}), or several separated by commas.");
        }
        if (query.Tag is not null && TagSql.NameError(query.Tag) is { } tagError)
            args.Fail("tag", tagError);
        if (query.Q is { Length: 0 or > 200 })
            args.Fail("q", "Search text has 1 to 200 characters.");
        var withComment = query.WithComment switch
        {
            null or "false" => false,
            "true" => true,
            _ => Fail(args, "withComment", "Must be true or false."),
        };
        if (!args.Ok)
            return null;
        if (query.SurveyId is not null && surveys.Ids(user.WorkspaceId(), query.SurveyId, SurveyUse.Reports) is null)
        {
            notFound = SurveyEndpoints.NotFound(query.SurveyId);
            return null;
        }
        return new ResponseFilter(user.WorkspaceId(), query.SurveyId, start, end, categories, where, query.Q, withComment, query.Tag?.Trim());
    }

    /// <summary>
    /// <c>[from, to)</c> in Unix ms. <c>to</c> defaults to now; <c>from</c> to 90 days before
    /// <c>to</c>, or to the beginning for the list and the export (<paramref name="defaultAll"/>).
    /// </summary>
    internal static (long From, long To) Range(QueryArgs args, string? from, string? to, TimeZoneInfo zone, TimeProvider time, bool defaultAll = false)
    {
        var last = args.Instant("to", to, zone, endOfDay: true);
        var end = last ?? (defaultAll ? long.MaxValue : time.GetUtcNow().ToUnixTimeMilliseconds());
        var start = args.Instant("from", from, zone, endOfDay: false)
            ?? (defaultAll ? long.MinValue : end - (long)DefaultRange.TotalMilliseconds);
        if (start > end)
            args.Fail("to", "Must not be before from.");
        return (start, end);
    }

    static bool Fail(QueryArgs args, string name, string message)
    {
        args.Fail(name, message);
        return false;
    }

    static ValidationProblem Invalid(QueryArgs args) =>
        TypedResults.ValidationProblem(args.Errors, detail: args.Detail);
}
