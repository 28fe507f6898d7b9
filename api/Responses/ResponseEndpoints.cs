using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Responses;

/// <summary><c>POST /v1/responses</c> and <c>POST /v1/declines</c>: what the widget sends back for a display.</summary>
public static class ResponseEndpoints
{
    public static IHostApplicationBuilder AddResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DisplayTokenGate>();
        builder.Services.AddSingleton<ResponseMetrics>();
        builder.Services.AddSingleton<ResponseHooks>();
        return builder;
    }

    public static IEndpointRouteBuilder MapResponses(this IEndpointRouteBuilder app)
    {
        var group = app.MapPublicGroup("Responses");
        group.MapPost("/responses", Save).WithName("SaveResponse")
            .Accepts<ResponsePost>(isOptional: true, "application/json").WithMetadata(ReadsOwnJsonBody.Instance)
            .WithSummary("Saves the answer to a display: 201 the first time, 200 when the same token posts again (an upsert).")
            .WithBodyLimit(ResponseRules.BodyLimitBytes)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/declines", Decline).WithName("DeclineSurvey")
            .WithSummary("Records that the user dismissed the survey; starts the decline cooldown. Idempotent.")
            .WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    static async Task<Results<Created<SavedResponse>, Ok<SavedResponse>, ValidationProblem, ProblemHttpResult>> Save(
        HttpRequest request, DisplayTokenGate tokens, WriteQueue writer, ResponseHooks hooks,
        TimeProvider time, ResponseMetrics metrics, SurveyStore surveys, SurveyKinds kinds, JsonContract<ResponsePost> contract)
    {
        // Read here rather than bound by the framework, as eligibility does (decision H14).
        var (post, invalid) = await JsonBodies.ReadAsync(request, contract.Value, ResponseRules.BodyLimitBytes);
        if (invalid is not null)
            return Problems.BadRequest(invalid);
        if (post is null)
            return Problems.BadRequest("Send a JSON object as the body: { displayToken, score, comment?, followUp?, reasons?, reasonOther?, siteKey? }.");
        var errors = ResponseRules.Validate(post);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        if (!tokens.TryResolve(post.DisplayToken!, post.SiteKey, request, out var display, out var refused))
            return refused;
        var kind = kinds.Of(display.SurveyId);
        if (ResponseRules.ScoreError(kind, post.Score!.Value) is { } scoreError)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["score"] = [scoreError] });
        ChosenReasons? reasons = null;
        if (post.Reasons is { } ids)
        {
            // Only an answer with reasons reads its survey: the question the display asked (its variant's, if any).
            var survey = ids.Count == 0 ? null : surveys.Find(display.WorkspaceId, display.SurveyId);
            var category = kind.CategoryOf(post.Score!.Value);
            var reasonErrors = ResponseRules.ValidateReasons(post, survey?.ReasonsOf(display.Variant), category);
            if (reasonErrors.Count > 0)
                return TypedResults.ValidationProblem(reasonErrors);
            reasons = new ChosenReasons(ids.Select(id => id!).Order(StringComparer.Ordinal).ToList(),
                ids.Contains(ReasonsValidation.OtherId) && post.ReasonOther is { } other ? ResponseRules.NormalizeComment(other) : null);
        }
        var change = new ResponseChange(post.Score!.Value,
            SetComment: post.Comment is not null,
            Comment: post.Comment is null ? null : ResponseRules.NormalizeComment(post.Comment),
            SetFollowUp: post.FollowUp is not null,
            FollowUpJson: post.FollowUp is null ? null : ResponseStore.FollowUpJson(post.FollowUp),
            Category: kind.CategoryOf(post.Score!.Value))
        { Reasons = reasons };
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        // An append: it only adds to the aggregates, which the batch may sum before it commits (decision WR2).
        var result = await writer.AppendAsync((c, tx) => ResponseStore.Save(c, tx, display, change, now, hooks));
        if (result is null)
            return Problems.NotFound(Workspaces.SiteKeyGate.UnknownDisplayToken);

        var saved = result.Response;
        if (result.Changed)
            metrics.ResponseSaved(saved.Category, saved.Created);
        return saved.Created ? TypedResults.Created((string?)null, saved.ToSaved()) : TypedResults.Ok(saved.ToSaved());
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Decline(
        DeclinePost? post, HttpRequest request, DisplayTokenGate tokens, WriteQueue writer, ResponseHooks hooks,
        TimeProvider time, ResponseMetrics metrics)
    {
        if (post is null)
            return Problems.BadRequest("Send a JSON object as the body: { displayToken, siteKey? }.");
        var errors = ResponseRules.ValidateToken(post.DisplayToken);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        if (!tokens.TryResolve(post.DisplayToken!, post.SiteKey, request, out var display, out var refused))
            return refused;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        if (await writer.ExecuteAsync((c, tx) => ResponseStore.Decline(c, tx, display, now, hooks)))
            metrics.Declined();
        return TypedResults.NoContent();
    }
}
