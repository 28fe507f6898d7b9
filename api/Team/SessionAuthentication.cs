using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>
/// The dashboard's session cookie: the caller is a member looking at one workspace, with their
/// role there read on every request (a changed role or a removal applies at once). A request with
/// an <c>Authorization</c> header is a key's, never a session's. A session unused for
/// <see cref="TeamOptions.SessionIdleHours"/> has ended; the last use is stamped at most once a minute.
/// </summary>
public sealed partial class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionStore store,
    WriteQueue writer,
    TimeProvider time,
    IOptions<TeamOptions> team,
    IProblemDetailsService problems,
    IHostEnvironment env)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = CallerClaims.SessionScheme;
    public const string CookieName = "pulse_session";
    public const string CsrfHeader = CallerClaims.CsrfHeader;
    public const string MemberClaim = CallerClaims.Member;
    public const string EmailClaim = CallerClaims.Email;
    public const string RoleClaim = CallerClaims.Role;
    public const string SessionClaim = CallerClaims.Session;
    public const string CsrfClaim = CallerClaims.Csrf;

    /// <summary>The last use of a session is written at most this often.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.Authorization.Count > 0 || Request.Cookies[CookieName] is not { Length: > 0 } token)
            return AuthenticateResult.NoResult();
        var session = store.Find(token);
        if (session is null)
            return AuthenticateResult.Fail("Your session has ended (signed out, or everywhere); sign in again at /dashboard.");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - session.LastSeenAt >= (long)team.Value.SessionIdle.TotalMilliseconds)
            return AuthenticateResult.Fail($"Your session expired after {team.Value.SessionIdleHours:0.##} hours without use; sign in again at /dashboard.");
        if (session.Role is null)
            return AuthenticateResult.Fail("You are no longer a member of this workspace; sign in again to see your other workspaces.");
        if (DemoWorkspace.IsRefused(session.WorkspaceId, env))
            return AuthenticateResult.Fail(DemoWorkspace.Refusal);
        if (now - session.LastSeenAt >= (long)Resolution.TotalMilliseconds)
        {
            try
            {
                await writer.ExecuteAsync((c, tx) => SessionStore.Touch(c, tx, session.Id, now));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogNotTouched(Logger, session.Id, ex.Message);
            }
        }
        var identity = new ClaimsIdentity([
            new Claim(SecretKeyAuthenticationHandler.WorkspaceClaim, session.WorkspaceId),
            new Claim(MemberClaim, session.MemberId),
            new Claim(EmailClaim, session.Email),
            new Claim(RoleClaim, session.Role),
            new Claim(SessionClaim, session.Id),
            new Claim(CsrfClaim, session.CsrfToken)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await SecretKeyAuthenticationHandler.WriteProblemAsync(problems, Context, StatusCodes.Status401Unauthorized,
            result.Failure?.Message ?? "Sign in at /dashboard, or send 'Authorization: Bearer sk_…' with a secret key of your workspace.");
    }

    /// <summary>The cookie of a new session: HttpOnly, SameSite=Strict, Secure over https, for the whole site.</summary>
    public static CookieOptions Cookie(HttpRequest request) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last use of session {SessionId} was not recorded: {Reason}")]
    static partial void LogNotTouched(ILogger logger, string sessionId, string reason);
}

/// <summary>
/// Answers a refused authorization: 403 problem+json naming the missing permission (or the
/// missing CSRF token); a missing or refused credential is the scheme's own 401 — the session's
/// when only a session cookie was sent, the secret key's otherwise.
/// </summary>
public sealed class PermissionResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden)
        {
            var reason = result.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message
                ?? "Your role or key may not do this.";
            await SecretKeyAuthenticationHandler.WriteProblemAsync(problems, context, StatusCodes.Status403Forbidden, reason);
            return;
        }
        if (result.Challenged)
        {
            var session = context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(SessionAuthenticationHandler.CookieName);
            await context.ChallengeAsync(session ? SessionAuthenticationHandler.SchemeName : SecretKeyAuthenticationHandler.SchemeName);
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}

/// <summary>Settings of members' sign-in (<c>Authentication</c> section).</summary>
public sealed class TeamOptions
{
    public const string Section = "Authentication";

    /// <summary>Hours without a request after which a dashboard session has ended.</summary>
    [System.ComponentModel.DataAnnotations.Range(0.05, 24 * 30)]
    public double SessionIdleHours { get; set; } = 12;

    public TimeSpan SessionIdle => TimeSpan.FromHours(SessionIdleHours);

    /// <summary>Failed sign-ins for one email, or from one address, within <see cref="LockoutMinutes"/> before further attempts wait (429).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int LockoutFailures { get; set; } = 5;

    [System.ComponentModel.DataAnnotations.Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>The address links are made with (invitations, password resets); default: the address of the request.</summary>
    public string? PublicUrl { get; set; }
}
