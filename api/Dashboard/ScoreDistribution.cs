using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Analytics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Dashboard;

/// <summary>How many responses gave each score 0–10: the distribution chart of the dashboard.</summary>
/// <param name="Responses">All responses in the range and filters.</param>
/// <param name="Counts">Eleven counts, index = score.</param>
public sealed record ScoreDistributionResponse(long Responses, IReadOnlyList<long> Counts);

/// <summary>
/// Counts of responses per score over the responses of a range, joined to their display's trait
/// snapshot. The filters mean exactly what they mean for <c>GET /v1/metrics/nps</c>: the same
/// parameter parsing (<see cref="QueryArgs"/>) and the same trait matching (<see cref="TraitSql"/>).
/// </summary>
public sealed class ScoreDistributionStore(Db db)
{
    static readonly string SelectCounts = $"""
        SELECT r.score AS Score, count(*) AS Count
        FROM responses r JOIN displays d ON d.id = r.display_id
        WHERE r.survey_id IN @SurveyIds AND r.created_at >= @From AND r.created_at < @To AND {TraitSql.MatchesFilters}
        GROUP BY r.score
        """;

    public ScoreDistributionResponse Count(IReadOnlyList<string> surveyIds, long from, long to, IReadOnlyDictionary<string, string> where)
    {
        using var c = db.Open();
        var counts = new long[11];
        foreach (var (score, count) in c.Query<(long Score, long Count)>(SelectCounts,
            new { SurveyIds = surveyIds, From = from, To = to, Filters = JsonSerializer.Serialize(where) }))
            counts[score] = count;
        return new ScoreDistributionResponse(counts.Sum(), counts);
    }
}

/// <summary>The small read API the dashboard needs beyond the analytics endpoints.</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/metrics").WithTags("Dashboard").RequireAuthorization(PulseAuth.SecretKeyPolicy);
        group.MapGet("/scores", Scores).WithName("GetScoreDistribution")
            .WithSummary("Responses per score 0–10 for a survey (all when absent), a date range (from, to) and trait filters (where[trait]=value).");
        return app;
    }

    static Results<Ok<ScoreDistributionResponse>, ValidationProblem> Scores(
        HttpRequest request, ClaimsPrincipal user, ScoreDistributionStore store, MetricsStore metrics, TimeProvider time)
    {
        var args = new QueryArgs(request.Query, "surveyId", "from", "to", "where");
        var where = args.Where();
        // The defaults of GET /v1/metrics/nps: up to now, 90 days back.
        var to = args.Instant("to", TimeZoneInfo.Utc, endOfDay: true) ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = args.Instant("from", TimeZoneInfo.Utc, endOfDay: false) ?? to - (long)AnalyticsEndpoints.DefaultRange.TotalMilliseconds;
        if (from > to)
            args.Fail("to", "Must not be before from.");
        if (!args.Ok)
            return TypedResults.ValidationProblem(args.Errors, detail: args.Detail, title: "Invalid query parameters");
        var surveyId = args.Text("surveyId");
        var surveys = metrics.Surveys(user.WorkspaceId(), surveyId)
            ?? throw new ProblemException(404, "Survey not found", $"There is no survey '{surveyId}' in this workspace.");
        return TypedResults.Ok(store.Count(surveys, from, to, where));
    }
}
