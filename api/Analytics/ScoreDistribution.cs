using System.Text.Json;
using Dapper;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

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
        foreach (var (score, count) in c.Query<(long Score, long Count)>(c.Sql(SelectCounts),
            new { SurveyIds = surveyIds, From = from, To = to, Filters = JsonSerializer.Serialize(where) }))
            counts[score] = count;
        return new ScoreDistributionResponse(counts.Sum(), counts);
    }
}
