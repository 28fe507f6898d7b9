using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Dashboard;

/// <summary>How many responses gave each score 0–10: the distribution chart of the dashboard.</summary>
/// <param name="Responses">All responses in the range and filters.</param>
/// <param name="Counts">Eleven counts, index = score.</param>
public sealed record ScoreDistributionResponse(int Responses, IReadOnlyList<int> Counts);

/// <summary>The filters shared by the dashboard's reads: survey, date range, trait equality filters.</summary>
public sealed record DashboardFilter(string? SurveyId, long? From, long? To, IReadOnlyDictionary<string, string> Where)
{
    /// <summary>
    /// Reads <c>surveyId</c>, <c>from</c>, <c>to</c> and <c>where[trait]=value</c> from a query string.
    /// Dates are ISO 8601 instants, or plain dates (UTC days): <c>from</c> is inclusive, <c>to</c>
    /// exclusive for an instant and inclusive for a plain date (the whole day counts).
    /// </summary>
    public static DashboardFilter Parse(IQueryCollection query)
    {
        var where = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (!key.StartsWith("where[", StringComparison.Ordinal))
                continue;
            var trait = key.EndsWith(']') ? key[6..^1] : "";
            if (trait.Length is 0 or > 64)
                throw new ProblemException(400, "Invalid parameter", $"'{key}' must be where[<trait>] with a trait key of 1 to 64 characters.");
            where[trait] = values.ToString();
        }
        var from = ParseTime(query["from"].ToString(), "from", endOfDay: false);
        var to = ParseTime(query["to"].ToString(), "to", endOfDay: true);
        if (from is not null && to is not null && to < from)
            throw new ProblemException(400, "Invalid parameter", "'to' must not be before 'from'.");
        var survey = query["surveyId"].ToString();
        return new DashboardFilter(survey.Length == 0 ? null : survey, from, to, where);
    }

    static long? ParseTime(string value, string name, bool endOfDay)
    {
        if (value.Length == 0)
            return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (endOfDay ? start.AddDays(1) : start).ToUnixTimeMilliseconds();
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return instant.ToUnixTimeMilliseconds();
        throw new ProblemException(400, "Invalid parameter", $"'{name}' must be an ISO 8601 date (2026-01-31) or instant (2026-01-31T00:00:00Z); got '{value}'.");
    }
}

/// <summary>Counts of responses per score, straight from the responses and their display's trait snapshot.</summary>
public sealed class ScoreDistributionStore(Db db)
{
    // The trait filters arrive as one JSON object parameter: every key/value in it must be in the
    // display's trait snapshot (values compared as text, so where[arr]=48000 matches 48000).
    const string SelectCounts = """
        SELECT r.score AS Score, COUNT(*) AS Count
        FROM responses r JOIN displays d ON d.id = r.display_id
        WHERE r.workspace_id = @WorkspaceId
          AND (@SurveyId IS NULL OR r.survey_id = @SurveyId)
          AND (@From IS NULL OR r.created_at >= @From)
          AND (@To IS NULL OR r.created_at < @To)
          AND NOT EXISTS (
                SELECT 1 FROM json_each(@Where) w
                WHERE NOT EXISTS (
                    SELECT 1 FROM json_each(d.traits) t
                    WHERE t.key = w.key AND CAST(t.value AS TEXT) = CAST(w.value AS TEXT)))
        GROUP BY r.score
        """;

    const string SurveyExists = "SELECT COUNT(*) FROM surveys WHERE id = @Id AND workspace_id = @WorkspaceId";

    public bool HasSurvey(string workspaceId, string surveyId)
    {
        using var c = db.Open();
        return c.ExecuteScalar<long>(SurveyExists, new { Id = surveyId, WorkspaceId = workspaceId }) > 0;
    }

    public ScoreDistributionResponse Count(string workspaceId, DashboardFilter filter)
    {
        using var c = db.Open();
        var counts = new int[11];
        foreach (var (score, count) in c.Query<(long Score, long Count)>(SelectCounts, new
        {
            WorkspaceId = workspaceId,
            filter.SurveyId,
            filter.From,
            filter.To,
            Where = JsonSerializer.Serialize(filter.Where),
        }))
            counts[score] = (int)count;
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
            .WithSummary("Responses per score 0–10 for a survey, date range (from, to) and trait filters (where[trait]=value).");
        return app;
    }

    static Ok<ScoreDistributionResponse> Scores(HttpRequest request, ClaimsPrincipal user, ScoreDistributionStore store)
    {
        var filter = DashboardFilter.Parse(request.Query);
        var workspaceId = user.WorkspaceId();
        if (filter.SurveyId is not null && !store.HasSurvey(workspaceId, filter.SurveyId))
            throw new ProblemException(404, "Not found", $"No survey '{filter.SurveyId}'.");
        return TypedResults.Ok(store.Count(workspaceId, filter));
    }
}
