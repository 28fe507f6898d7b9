using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Surveys;

/// <summary><c>/v1/surveys</c>: a workspace lists, creates, edits and deletes its surveys (secret key).</summary>
public static class SurveyEndpoints
{
    /// <summary>Texts for every locale of the catalog fit comfortably; anything larger is a mistake.</summary>
    const long BodyLimit = 256 * 1024;

    public static IHostApplicationBuilder AddSurveys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SurveyOptions>().BindConfiguration(SurveyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SurveyStore>();
        builder.Services.AddSingleton<SurveyCache>();
        builder.Services.AddSingleton<SurveyKinds>();
        builder.Services.AddSingleton<IWorkspaceHook>(FirstSurvey.Hook);
        return builder;
    }

    public static IEndpointRouteBuilder MapSurveys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/surveys").WithTags("Surveys");
        group.MapGet("", List).WithName("ListSurveys").RequirePermission(Permissions.ReadSurveys).WithSummary("The workspace's surveys, highest priority first.");
        group.MapPost("", Create).WithName("CreateSurvey").RequirePermission(Permissions.ManageSurveys).WithSummary("Creates a survey; omitted fields take the defaults.")
            .WithBodyLimit(BodyLimit);
        group.MapGet("/{id}", Get).WithName("GetSurvey").RequirePermission(Permissions.ReadSurveys).WithSummary("One survey of the workspace.");
        group.MapPut("/{id}", Update).WithName("UpdateSurvey").RequirePermission(Permissions.ManageSurveys).WithSummary("Changes the fields given; omitted fields stay as they are.")
            .WithBodyLimit(BodyLimit);
        group.MapDelete("/{id}", Delete).WithName("DeleteSurvey").RequirePermission(Permissions.ManageSurveys)
            .WithSummary("Deletes a survey: it is never shown again; its displays and responses stay for reporting.");
        return app;
    }

    static Ok<SurveyList> List(ClaimsPrincipal user, SurveyStore store) =>
        TypedResults.Ok(new SurveyList(store.List(user.WorkspaceId()).Select(s => s.ToResource()).ToList()));

    static Results<Ok<SurveyResource>, ProblemHttpResult> Get(string id, ClaimsPrincipal user, SurveyStore store) =>
        store.Find(user.WorkspaceId(), id) is { } s ? TypedResults.Ok(s.ToResource()) : NotFound(id);

    static async Task<Results<Created<SurveyResource>, ValidationProblem, ProblemHttpResult>> Create(
        [FromBody] SurveyInput? input, HttpContext http, ClaimsPrincipal user, WriteQueue writer, SurveyCache cache, TimeProvider time, IOptions<SurveyOptions> options)
    {
        if (input is null)
            return BodyRequired;
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var survey = SurveyValidation.Apply(SurveyDefaults.New(workspaceId, now), input, creating: true, out var errors);
        if (survey is null)
            return TypedResults.ValidationProblem(errors);
        var refused = await writer.ExecuteAsync((c, tx) =>
        {
            var refusal = SurveyLimits.Refusal(c, tx, workspaceId, adding: true, activating: survey.Active, options.Value);
            if (refusal is null)
            {
                SurveyStore.Create(c, tx, survey);
                Audit.Write(c, tx, Actor.Of(http), workspaceId, "survey.created", survey.Id, now, after: survey.ToResource());
            }
            return refusal;
        });
        if (refused is not null)
            return refused;
        cache.Invalidate(workspaceId);
        return TypedResults.Created($"/v1/surveys/{survey.Id}", survey.ToResource());
    }

    static async Task<Results<Ok<SurveyResource>, ValidationProblem, ProblemHttpResult>> Update(
        string id, [FromBody] SurveyInput? input, HttpContext http, ClaimsPrincipal user, WriteQueue writer, SurveyCache cache, TimeProvider time,
        IOptions<SurveyOptions> options)
    {
        if (input is null)
            return BodyRequired;
        var workspaceId = user.WorkspaceId();
        var (saved, errors, refused) = await writer.ExecuteAsync((c, tx) =>
        {
            var current = SurveyStore.Find(c, tx, workspaceId, id);
            if (current is null)
                return (null, null, null);
            var next = SurveyValidation.Apply(current, input, creating: false, out var problems);
            if (next is null)
                return (null, problems, null);
            if (SurveyLimits.Refusal(c, tx, workspaceId, adding: false, activating: next.Active && !current.Active, options.Value) is { } refusal)
                return (null, null, refusal);
            next = next with { UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
            SurveyStore.Save(c, tx, next);
            Audit.Write(c, tx, Actor.Of(http), workspaceId, "survey.updated", id, next.UpdatedAt, current.ToResource(), next.ToResource());
            return ((Survey?)next, (Dictionary<string, string[]>?)null, (ProblemHttpResult?)null);
        });
        if (errors is not null)
            return TypedResults.ValidationProblem(errors);
        if (refused is not null)
            return refused;
        if (saved is null)
            return NotFound(id);
        cache.Invalidate(workspaceId);
        return TypedResults.Ok(saved.ToResource());
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, SurveyCache cache,
        TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var deleted = await writer.ExecuteAsync((c, tx) =>
        {
            var before = SurveyStore.Find(c, tx, workspaceId, id);
            var done = SurveyStore.Delete(c, tx, workspaceId, id, now);
            if (done)
                Audit.Write(c, tx, Actor.Of(http), workspaceId, "survey.deleted", id, now, before: before?.ToResource());
            return done;
        });
        if (!deleted)
            return NotFound(id);
        cache.Invalidate(workspaceId);
        return TypedResults.NoContent();
    }

    static ProblemHttpResult BodyRequired =>
        Problems.BadRequest("Send a JSON object with the survey's fields as the body, e.g. { \"name\": \"Relationship NPS\" }.");

    /// <summary>The 404 of an unknown (or deleted, or another workspace's) survey id.</summary>
    public static ProblemHttpResult NotFound(string? id) =>
        Problems.NotFound($"There is no survey '{id}' in this workspace; list your surveys with GET /v1/surveys.");
}
