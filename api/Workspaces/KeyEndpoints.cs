using System.Security.Claims;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary>
/// <c>/v1/keys</c> and <c>POST /v1/workspace/rotate-identity-secret</c>: a workspace lists, creates
/// and revokes its own secret keys and rotates its identity secret over HTTP, as the CLI does
/// (the dashboard's Keys page). Every endpoint names the permission it needs.
/// </summary>
public static class KeyEndpoints
{
    /// <summary>Active keys a workspace may hold at once; revoke one to create another.</summary>
    public const int MaxActiveKeys = 20;

    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        // The handlers check their input themselves, naming each JSON field; annotations only describe it in OpenAPI.
        var group = app.MapGroup("/v1/keys").WithTags("Keys").DisableValidation();
        group.MapGet("", List).WithName("ListKeys").RequirePermission(Permissions.ManageKeys)
            .WithSummary("The workspace's secret keys (hints, never the keys), with their last use; 'current' marks the caller's.");
        group.MapPost("", Create).WithName("CreateKey").RequirePermission(Permissions.ManageKeys).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Creates a secret key; the answer carries the key, shown only here.");
        group.MapDelete("/{id}", Revoke).WithName("RevokeKey").RequirePermission(Permissions.ManageKeys)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Revokes a secret key at once: every call with it is refused from now on.");
        app.MapPost("/v1/workspace/rotate-identity-secret", RotateIdentitySecret).WithTags("Workspace").WithName("RotateIdentitySecret").DisableValidation()
            .RequirePermission(Permissions.ManageKeys)
            .WithSummary("Issues a new identity secret, shown only here; the old one keeps verifying userHash for the rotation window.");
        return app;
    }

    static Ok<KeyList> List(ClaimsPrincipal user, WorkspaceStore store)
    {
        var current = user.KeyId();
        return TypedResults.Ok(new KeyList(store.ListKeys(user.WorkspaceId()).Select(k => k.ToResponse(current)).ToList()));
    }

    static async Task<Results<Created<CreatedKeyResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CreateKeyRequest? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        var name = body?.Name?.Trim();
        var errors = new Dictionary<string, string[]>();
        if (name is { Length: 0 } || name?.Length > MaxNameLength || name?.Any(char.IsControl) == true)
            errors["name"] = [$"Give the key a name of 1 to {MaxNameLength} characters without line breaks, e.g. \"CI server\", or leave it out."];
        var scope = body?.Scope ?? KeyScopes.Full;
        if (!KeyScopes.All.Contains(scope))
            errors["scope"] = ["Choose the scope 'full' (everything) or 'read' (analytics, responses and exports; no writes), or leave it out for 'full'."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var created = await writer.ExecuteAsync((c, tx) =>
        {
            if (WorkspaceStore.ActiveKeys(c, tx, workspaceId) >= MaxActiveKeys)
                return null;
            var (keyId, secret) = WorkspaceStore.AddKey(c, tx, workspaceId, now, name: name, scope: scope);
            var response = new CreatedKeyResponse(keyId, name, Keys.Hint(secret), secret, Db.FromUnixMs(now), scope);
            Audit.Write(c, tx, actor, workspaceId, "key.created", keyId, now, after: response);
            return response;
        });
        if (created is null)
            return Problems.Of(StatusCodes.Status409Conflict,
                $"This workspace already has {MaxActiveKeys} active secret keys, the most it may hold; revoke one it no longer uses first.");
        return TypedResults.Created($"/v1/keys/{created.Id}", created);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var outcome = await writer.ExecuteAsync((c, tx) =>
        {
            var key = WorkspaceStore.FindKey(c, tx, workspaceId, id);
            if (key is null)
                return RevokeOutcome.Unknown;
            if (key.RevokedAt is not null)
                return RevokeOutcome.Revoked;
            // The last key is the way into the API without a member (short of the CLI on the server).
            if (WorkspaceStore.ActiveKeys(c, tx, workspaceId) == 1)
                return RevokeOutcome.Last;
            WorkspaceStore.Revoke(c, tx, workspaceId, id, now);
            Audit.Write(c, tx, Actor.Of(http), workspaceId, "key.revoked", id, now, before: key.ToResponse(null));
            return RevokeOutcome.Revoked;
        });
        return outcome switch
        {
            RevokeOutcome.Unknown => Problems.NotFound($"This workspace has no secret key '{id}'; GET /v1/keys lists them."),
            RevokeOutcome.Last => Problems.Of(StatusCodes.Status409Conflict,
                "This is the workspace's only active secret key: create another one first, so the workspace can still be administered."),
            _ => TypedResults.NoContent(),
        };
    }

    enum RevokeOutcome { Unknown, Revoked, Last }

    static async Task<Results<Ok<RotatedIdentitySecretResponse>, ProblemHttpResult>> RotateIdentitySecret(
        HttpContext http, ClaimsPrincipal user, WriteQueue writer, WorkspaceStore store, TimeProvider time, IOptions<WorkspaceOptions> options)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow();
        var window = options.Value.IdentitySecretRotationWindow;
        var until = now + window;
        var secret = await writer.ExecuteAsync((c, tx) =>
        {
            if (WorkspaceStore.Find(c, tx, workspaceId) is null)
                return null;
            var rotated = WorkspaceStore.RotateIdentitySecret(c, tx, workspaceId, now.ToUnixTimeMilliseconds(), until.ToUnixTimeMilliseconds());
            Audit.Write(c, tx, Actor.Of(http), workspaceId, "identity_secret.rotated", workspaceId, now.ToUnixTimeMilliseconds());
            return rotated;
        });
        store.Invalidate(workspaceId);
        if (secret is null)
            return Problems.NotFound("This key's workspace no longer exists; use a key of an existing workspace.");
        return TypedResults.Ok(new RotatedIdentitySecretResponse(secret, window > TimeSpan.Zero ? until : null));
    }
}

/// <summary><c>POST /v1/keys</c>: an optional name that tells people what the key is for.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
/// <param name="Scope">full (default: every permission) or read (analytics, responses and exports; no writes).</param>
public sealed record CreateKeyRequest([property: StringLength(KeyEndpoints.MaxNameLength)] string? Name, string? Scope = null);

/// <summary>A secret key as listed: its hint, never the key.</summary>
public sealed record KeyResponse(
    string Id,
    string? Name,
    string Hint,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    bool Current,
    string Scope);

public sealed record KeyList(IReadOnlyList<KeyResponse> Items);

/// <summary>The answer to <c>POST /v1/keys</c>: the key itself, shown only here.</summary>
public sealed record CreatedKeyResponse(
    string Id,
    string? Name,
    string Hint,
    string SecretKey,
    DateTimeOffset CreatedAt,
    string Scope);

/// <summary>The new identity secret (shown only here), and until when the old one still verifies (null: not at all).</summary>
public sealed record RotatedIdentitySecretResponse(string IdentitySecret, DateTimeOffset? PreviousSecretExpiresAt);

public static class KeyMapping
{
    public static KeyResponse ToResponse(this SecretKeyInfo k, string? currentKeyId) => new(k.Id, k.Name, k.Hint,
        Db.FromUnixMs(k.CreatedAt), k.LastUsedAt is { } used ? Db.FromUnixMs(used) : null,
        k.RevokedAt is { } revoked ? Db.FromUnixMs(revoked) : null, k.Id == currentKeyId, k.Scope);
}
