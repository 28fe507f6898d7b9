using Microsoft.AspNetCore.Http.HttpResults;

namespace Pulse.Api.Operations;

/// <summary>The answer when a workspace has as many of something as it may have: 409 problem+json naming the limit.</summary>
public static class LimitReached
{
    /// <param name="limit">The setting that holds the limit, e.g. <c>Surveys:MaxActivePerWorkspace</c>.</param>
    /// <param name="max">Its value.</param>
    /// <param name="detail">What the caller has, and what to do instead.</param>
    public static ProblemHttpResult Problem(string limit, int max, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Limit reached", detail: detail,
            extensions: new Dictionary<string, object?> { ["limit"] = limit, ["max"] = max });
}
