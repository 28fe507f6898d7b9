using Pulse.Api.Access;
using Pulse.Api.Operations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary><c>GET/PUT /v1/workspace</c>: a workspace reads and edits its own settings.</summary>
public static class WorkspaceEndpoints
{
    public static IEndpointRouteBuilder MapWorkspaces(this IEndpointRouteBuilder app)
    {
        // The handler checks the body itself, naming each JSON field; the annotations of WorkspaceUpdate describe it in OpenAPI.
        var group = app.MapGroup("/v1/workspace").WithTags("Workspace").DisableValidation();
        group.MapGet("", Get).WithName("GetWorkspace").RequirePermission(Permissions.ReadWorkspace).WithSummary("The settings of the caller's workspace.");
        group.MapPut("", Put).WithName("UpdateWorkspace").RequirePermission(Permissions.ManageWorkspace).WithSummary("Changes the settings given; omitted fields stay as they are.")
            .WithBodyLimit(16 * 1024);
        return app;
    }

    static Results<Ok<WorkspaceResponse>, ProblemHttpResult> Get(ClaimsPrincipal user, WorkspaceStore store, TimeProvider time) =>
        store.Find(user.WorkspaceId()) is { } w ? TypedResults.Ok(w.ToResponse(time.GetUtcNow().ToUnixTimeMilliseconds())) : Gone;

    static async Task<Results<Ok<WorkspaceResponse>, ValidationProblem, ProblemHttpResult>> Put(
        WorkspaceUpdate? update, HttpContext http, ClaimsPrincipal user, WriteQueue writer, WorkspaceStore store, TimeProvider time)
    {
        if (update is null)
            return Problems.BadRequest("Send a JSON object with the settings to change as the body, e.g. { \"productName\": \"Acme\" }.");
        var errors = new Dictionary<string, string[]>();
        if (update.Name is { Length: 0 or > 100 })
            errors["name"] = ["Give a name of 1 to 100 characters."];
        else if (update.Name is { } name && FreeText.HasControl(name))
            errors["name"] = [FreeText.NoControl("name")];
        if (update.ProductName is { Length: 0 or > 100 })
            errors["productName"] = ["Give a product name of 1 to 100 characters."];
        else if (update.ProductName is { } product && FreeText.HasControl(product))
            errors["productName"] = [FreeText.NoControl("productName")];
        if (update.FatigueDays is < 0 or > 365)
            errors["fatigueDays"] = ["Choose a number of days from 0 to 365."];
        if (update.AllowedOrigins is { Count: > 50 })
            errors["allowedOrigins"] = ["Keep at most 50 allowed origins."];
        var origins = new List<string>();
        foreach (var (value, i) in (update.AllowedOrigins ?? []).Select((v, i) => (v, i)))
        {
            if (OriginPattern.TryNormalize(value, out var normalized, out var error))
                origins.Add(normalized);
            else
                errors[$"allowedOrigins[{i}]"] = [error];
        }
        if (update.NpsTarget is { } target && !(target is >= -100 and <= 100))
            errors["npsTarget"] = ["Choose an NPS target from -100 to 100, or leave it empty for none."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var saved = await writer.ExecuteAsync((c, tx) =>
        {
            var current = WorkspaceStore.Find(c, tx, workspaceId);
            if (current is null)
                return null;
            var next = current with
            {
                Name = update.Name ?? current.Name,
                ProductName = update.ProductName ?? current.ProductName,
                AllowedOrigins = update.AllowedOrigins is null ? current.AllowedOrigins : origins.Distinct().ToList(),
                RequireUserHash = update.RequireUserHash ?? current.RequireUserHash,
                FatigueDays = update.FatigueDays ?? current.FatigueDays,
                TestMode = update.TestMode ?? current.TestMode,
                NpsTarget = update.HasNpsTarget ? update.NpsTarget : current.NpsTarget,
                ViewersMayExport = update.ViewersMayExport ?? current.ViewersMayExport,
                UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            WorkspaceStore.Save(c, tx, next);
            Audit.Write(c, tx, Actor.Of(http), workspaceId, "workspace.updated", workspaceId, next.UpdatedAt,
                current.ToResponse(next.UpdatedAt), next.ToResponse(next.UpdatedAt));
            return next;
        });
        store.Invalidate(workspaceId);
        return saved is null ? Gone : TypedResults.Ok(saved.ToResponse(time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    /// <summary>The key authenticated, but its workspace was deleted a moment ago.</summary>
    static ProblemHttpResult Gone => Problems.NotFound("This key's workspace no longer exists; use a key of an existing workspace.");
}
