using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;

namespace Pulse.Api.Workspaces;

/// <summary>
/// <c>Authorization: Bearer sk_…</c>: the caller is the workspace that owns the key. Missing,
/// malformed, unknown and revoked keys are all 401 problem+json, each with its own detail. A valid
/// key takes a permit of the per-secret-key rate limit here — every way a key is checked passes
/// through this handler — and past it the request is 429 (<see cref="Operations.RateLimitedException"/>).
/// </summary>
public sealed class SecretKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    WorkspaceStore store,
    KeyUsage usage,
    IProblemDetailsService problems,
    Operations.SecretKeyRateLimiter limiter,
    IHostEnvironment env)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = Access.CallerClaims.SecretKeyScheme;
    public const string WorkspaceClaim = Access.CallerClaims.Workspace;
    public const string KeyClaim = Access.CallerClaims.Key;
    public const string ScopeClaim = Access.CallerClaims.Scope;
    public const string HintClaim = Access.CallerClaims.Hint;

    /// <summary>The detail of a write refused to a key of scope 'read' by a handler that checks keys itself.</summary>
    public const string ReadKeyRefusal = "This key has the scope 'read', which may not record or change anything; use a key of scope 'full'.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer sk_…'.");
        var key = header["Bearer ".Length..].Trim();
        if (!key.StartsWith("sk_", StringComparison.Ordinal) || key.Length is < 8 or > 200)
            return AuthenticateResult.Fail(key.StartsWith("pk_", StringComparison.Ordinal)
                ? "A site key (pk_…) cannot call server endpoints; use a secret key (sk_…)."
                : "The bearer token is not a Pulse secret key (sk_…).");
        var found = store.Authenticate(key);
        if (found is null)
            return AuthenticateResult.Fail("The secret key is unknown or has been revoked.");
        if (DemoWorkspace.IsRefused(found.WorkspaceId, env))
            return AuthenticateResult.Fail(DemoWorkspace.Refusal);
        limiter.Acquire(found.KeyId);
        await usage.RecordAsync(found.KeyId, found.LastUsedAt);
        var identity = new ClaimsIdentity([
            new Claim(WorkspaceClaim, found.WorkspaceId),
            new Claim(KeyClaim, found.KeyId),
            new Claim(ScopeClaim, found.Scope),
            new Claim(HintClaim, found.Hint)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteProblemAsync(problems, Context, StatusCodes.Status401Unauthorized,
            result.Failure?.Message ?? "This endpoint needs 'Authorization: Bearer sk_…' with a secret key of your workspace.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(problems, Context, StatusCodes.Status403Forbidden, "This key may not do that.");

    /// <summary>Answers a refused caller (401, 403) with problem+json: the status, its one title, the detail.</summary>
    internal static async Task WriteProblemAsync(IProblemDetailsService problems, HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = Operations.Problems.Title(status), Detail = detail },
        });
    }
}

public static class CallerExtensions
{
    /// <summary>The workspace of the authenticated secret key; every query is scoped by it.</summary>
    public static string WorkspaceId(this ClaimsPrincipal user) =>
        user.FindFirst(SecretKeyAuthenticationHandler.WorkspaceClaim)?.Value
        ?? throw new InvalidOperationException("Endpoint is not behind secret-key authorization.");

    /// <summary>The id of the secret key the caller authenticated with; null for a signed-in member.</summary>
    public static string? KeyId(this ClaimsPrincipal user) => user.FindFirst(SecretKeyAuthenticationHandler.KeyClaim)?.Value;

    /// <summary>Whether the caller is a key of scope 'read' (the public endpoints that accept a key check it themselves).</summary>
    public static bool IsReadOnlyKey(this ClaimsPrincipal user) => user.FindFirst(SecretKeyAuthenticationHandler.ScopeClaim)?.Value == KeyScopes.Read;
}
