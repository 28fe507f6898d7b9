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
        var group = app.MapGroup("/v1/workspace").WithTags("Workspace").RequireAuthorization(PulseAuth.SecretKeyPolicy);
        group.MapGet("", Get).WithName("GetWorkspace").WithSummary("The settings of the caller's workspace.");
        group.MapPut("", Put).WithName("UpdateWorkspace").WithSummary("Changes the settings given; omitted fields stay as they are.")
            .WithBodyLimit(16 * 1024);
        return app;
    }

    static Results<Ok<WorkspaceResponse>, NotFound> Get(ClaimsPrincipal user, WorkspaceStore store, TimeProvider time) =>
        store.Find(user.WorkspaceId()) is { } w ? TypedResults.Ok(w.ToResponse(time.GetUtcNow().ToUnixTimeMilliseconds())) : TypedResults.NotFound();

    static async Task<Results<Ok<WorkspaceResponse>, ValidationProblem, NotFound>> Put(
        WorkspaceUpdate update, ClaimsPrincipal user, WriteQueue writer, WorkspaceStore store, TimeProvider time)
    {
        var origins = new List<string>();
        foreach (var (value, i) in (update.AllowedOrigins ?? []).Select((v, i) => (v, i)))
        {
            if (!OriginPattern.TryNormalize(value, out var normalized, out var error))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [$"allowedOrigins[{i}]"] = [error] });
            origins.Add(normalized);
        }
        if (update.NpsTarget is { } target && !(target is >= -100 and <= 100))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["npsTarget"] = ["Choose an NPS target from -100 to 100, or leave it empty for none."],
            });
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
                UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            WorkspaceStore.Save(c, tx, next);
            return next;
        });
        store.Invalidate(workspaceId);
        return saved is null ? TypedResults.NotFound() : TypedResults.Ok(saved.ToResponse(time.GetUtcNow().ToUnixTimeMilliseconds()));
    }
}
