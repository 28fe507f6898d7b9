using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Privacy;

/// <summary><c>POST /v1/opt-outs</c> (secret key or display token) and <c>DELETE /v1/users/{id}</c> (secret key, GDPR erasure).</summary>
public static class PrivacyEndpoints
{
    public static IHostApplicationBuilder AddPrivacy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PrivacyHooks>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder app)
    {
        // Public, because the widget's "don't ask me again" carries only a display token; a
        // secret key in Authorization lets a server opt out any user id of its workspace.
        app.MapPublicGroup("Privacy").MapPost("/opt-outs", OptOut).WithName("OptOut")
            .WithSummary("The user never gets surveys again. Secret key with userId, or a display token.")
            .WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);

        var users = app.MapGroup("/v1/users").WithTags("Privacy");
        users.MapDelete("/{id}", Erase).WithName("EraseUser").RequirePermission(Permissions.EraseUsers)
            .WithSummary("Erases the user with their displays and responses (and every row that names them). 204 even when repeated.");
        return app;
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> OptOut(
        OptOutPost? post, HttpContext http, DisplayTokenGate tokens, WriteQueue writer, TimeProvider time, ResponseMetrics metrics,
        PrivacyHooks hooks)
    {
        if (post is null)
            return Problems.BadRequest("Send a JSON object as the body: { userId } with a secret key, or { displayToken, siteKey? } from a browser.");
        string workspaceId, userId;
        Access.Actor? actor = null;
        if (http.Request.Headers.Authorization.Count > 0)
        {
            // The public group does not demand a key, so a bad one must be refused here, not ignored.
            var auth = await http.AuthenticateAsync(SecretKeyAuthenticationHandler.SchemeName);
            if (!auth.Succeeded)
                return Problems.Unauthorized(auth.Failure?.Message ?? "The Authorization header must be 'Bearer sk_…' with a secret key of your workspace.");
            if (auth.Principal.IsReadOnlyKey())
                return Problems.Forbidden(SecretKeyAuthenticationHandler.ReadKeyRefusal);
            workspaceId = auth.Principal.WorkspaceId();
            actor = Access.Actor.Of(auth.Principal, Access.Actor.AddressOf(http));
            if (post.UserId is null && post.DisplayToken is not null)
            {
                if (!tokens.TryResolve(post.DisplayToken, post.SiteKey, http.Request, out var display, out var refused, allowExpired: true))
                    return refused;
                if (display.WorkspaceId != workspaceId)
                    return Problems.NotFound(SiteKeyGate.UnknownDisplayToken);
                userId = display.UserId;
            }
            else
            {
                var errors = PrivacyRules.ValidateUserId(post.UserId);
                if (errors.Count > 0)
                    return TypedResults.ValidationProblem(errors);
                userId = post.UserId!;
            }
        }
        else
        {
            if (post.UserId is not null)
                return Problems.Unauthorized(
                    "Opting out by userId needs 'Authorization: Bearer sk_…'; from a browser, send the displayToken instead.");
            var errors = ResponseRules.ValidateToken(post.DisplayToken);
            if (errors.Count > 0)
                return TypedResults.ValidationProblem(errors);
            // An expired token still opts out: refusing a privacy wish helps no one.
            if (!tokens.TryResolve(post.DisplayToken!, post.SiteKey, http.Request, out var display, out var refused, allowExpired: true))
                return refused;
            (workspaceId, userId) = (display.WorkspaceId, display.UserId);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (await writer.ExecuteAsync((c, tx) =>
            {
                var opted = PrivacyStore.OptOut(c, tx, workspaceId, userId, now, hooks);
                // A key's opt-out is a change made by the vendor; a browser's is the end user's own wish.
                if (opted && actor is not null)
                    Access.Audit.Write(c, tx, actor, workspaceId, "user.opted_out", userId, now, endUserId: userId);
                return opted;
            }))
            metrics.OptedOut();
        return TypedResults.NoContent();
    }

    /// <summary>How long an erasure waits for its VACUUM on PostgreSQL before answering anyway.</summary>
    static readonly TimeSpan ErasureVacuumWait = TimeSpan.FromSeconds(30);

    static async Task<NoContent> Erase(string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, PrivacyHooks hooks, ResponseMetrics metrics,
        Db db, ILoggerFactory logs, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var userId = UserIdFromPath(http, id);
        var actor = Access.Actor.Of(http);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var (erased, changed) = await writer.ExecuteAsync((c, tx) =>
        {
            var found = PrivacyStore.Erase(c, tx, workspaceId, userId, hooks);
            // Earlier entries lose the user's personal data; the erasure itself is recorded without it.
            Access.AuditStore.Erase(c, tx, workspaceId, userId);
            Access.Audit.Write(c, tx, actor, workspaceId, "user.erased", "(erased)", now, after: new { found });
            return (found, Db.TablesChangedBy(c, tx));
        });
        var log = logs.CreateLogger("Pulse.Api.Privacy");
        if (erased)
        {
            metrics.Erased();
            // secure_delete zeroes the freed pages of the database file, but the WAL still holds the
            // frames written before the erasure: copy it in and truncate it before answering.
            if (!await writer.ExecuteAfterCommitAsync(c => db.TruncateWal(c, TimeSpan.FromSeconds(2))))
                log.LogWarning("The WAL could not be truncated after erasing a user (readers busy); the next checkpoint completes it");
        }
        // PostgreSQL has no secure_delete: deleted rows and the old versions of updated ones (the audit
        // entries an erasure clears) stay as dead tuples until a VACUUM, run now on the tables it changed (GA3).
        if (!await db.VacuumAsync(changed, ErasureVacuumWait))
            log.LogWarning("VACUUM did not finish within {Wait} after erasing a user; autovacuum removes the rest", ErasureVacuumWait);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The user id exactly as the caller percent-encoded it. Routing leaves <c>%2F</c> encoded in
    /// route values (so a slash cannot change the route), which would make an id with '/' miss
    /// silently; the raw request target has the exact segment.
    /// </summary>
    static string UserIdFromPath(HttpContext http, string routeValue)
    {
        const string prefix = "/v1/users/";
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is null || !raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return routeValue;
        var segment = raw[prefix.Length..];
        var query = segment.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
            segment = segment[..query];
        return segment.Contains('/', StringComparison.Ordinal) ? routeValue : Uri.UnescapeDataString(segment);
    }
}
