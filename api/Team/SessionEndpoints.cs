using System.Data.Common;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>
/// The dashboard's own session endpoints under <c>/dashboard/api</c>: sign in with email and
/// password, read the session, switch workspace, sign out (here or everywhere), and open or accept
/// a one-time link (invitation, password reset). They speak cookies, not keys, so they are not
/// part of the public API's document.
/// </summary>
public static class SessionEndpoints
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 100;

    /// <summary>The one answer to a wrong email or a wrong password.</summary>
    public const string WrongCredentials = "The email or the password is wrong.";

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dashboard/api").WithTags("Session").ExcludeFromDescription().DisableValidation();
        var open = group.MapGroup("").RequireRateLimiting(RateLimitingExtensions.PublicPolicy)
            .Public("sign-in and one-time links: the caller has no session yet");
        open.MapPost("/sign-in", SignIn).WithName("SignIn").WithBodyLimit(4 * 1024);
        open.MapPost("/links/open", OpenLink).WithName("OpenLink").WithBodyLimit(4 * 1024);
        open.MapPost("/links/accept", AcceptLink).WithName("AcceptLink").WithBodyLimit(4 * 1024);
        open.MapGet("/oidc/start", SingleSignOn.Start).WithName("StartSingleSignOn");
        // Asked by the page before anyone signs in: no session is an answer, not an error.
        group.MapGet("/session", Current).WithName("GetSession").Public("says whether the browser has a session, and whose");
        group.MapPost("/session/workspace", Switch).WithName("SwitchWorkspace").RequirePermission(Permissions.Account).WithBodyLimit(4 * 1024);
        group.MapPost("/sign-out", SignOut).WithName("SignOut").RequirePermission(Permissions.Account);
        group.MapPost("/sign-out-everywhere", SignOutEverywhere).WithName("SignOutEverywhere").RequirePermission(Permissions.Account);
        return app;
    }

    static async Task<Results<Ok<SessionResponse>, ValidationProblem, ProblemHttpResult>> SignIn(
        SignInRequest? body, HttpContext http, Db db, WriteQueue writer, TimeProvider time, IOptions<TeamOptions> options, IHostEnvironment env, RoleGrants grants)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { email, password }.");
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Email) || body.Email.Length > MaxEmailLength)
            errors["email"] = ["Give the email you were invited with."];
        if (string.IsNullOrEmpty(body.Password) || body.Password.Length > Passwords.MaxLength)
            errors["password"] = ["Give your password."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var email = MemberStore.Normalize(body.Email!);
        var address = Actor.AddressOf(http);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (LockedFor(db, options.Value, email, address, now) is { } wait)
        {
            http.Response.Headers.RetryAfter = RateLimitedException.Seconds(wait);
            return Problems.Of(StatusCodes.Status429TooManyRequests,
                "Too many failed sign-ins for this email or from this address; wait for the time in Retry-After, or ask an owner for a password reset link.");
        }
        Member? member;
        using (var c = db.Open())
            member = MemberStore.FindByEmail(c, null, email);
        // An unknown email is checked against a dummy hash: the same answer after the same work.
        var valid = Passwords.Verify(member?.PasswordHash, body.Password!);
        IReadOnlyList<MemberWorkspace> workspaces = [];
        if (valid)
            using (var c = db.Open())
                workspaces = Usable(MembershipStore.WorkspacesOf(c, null, member!.Id), env);
        if (!valid)
        {
            await writer.ExecuteAsync((c, tx) => Audit.Write(c, tx, new Actor(Actor.AnonymousType, member?.Id, email, address), null,
                AuditStore.SignInFailed, member?.Id, now));
            return Problems.Unauthorized(WrongCredentials);
        }
        if (workspaces.Count == 0)
            return Problems.Forbidden("You are not a member of any workspace (any more); ask an owner to invite you.");
        var workspace = workspaces.FirstOrDefault(w => w.WorkspaceId == body.WorkspaceId) ?? workspaces[0];
        var actor = new Actor(Actor.MemberType, member!.Id, member.Email, address);
        var (_, token, csrf) = await writer.ExecuteAsync((c, tx) =>
        {
            var created = SessionStore.Create(c, tx, member.Id, workspace.WorkspaceId, now);
            Audit.Write(c, tx, actor, null, AuditStore.SignedIn, member.Id, now);
            return created;
        });
        http.Response.Cookies.Append(SessionAuthenticationHandler.CookieName, token, SessionAuthenticationHandler.Cookie(http.Request));
        return TypedResults.Ok(Describe(member, workspace, workspaces, csrf, grants));
    }

    /// <summary>How long sign-ins for this email or from this address must wait, or null when they may go on.</summary>
    static TimeSpan? LockedFor(Db db, TeamOptions options, string email, string? address, long now)
    {
        var window = (long)TimeSpan.FromMinutes(options.LockoutMinutes).TotalMilliseconds;
        using var c = db.Open();
        long until = 0;
        foreach (var failures in new[]
                 {
                     AuditStore.RecentFailures(c, null, email, null, now - window, options.LockoutFailures),
                     address is null ? [] : AuditStore.RecentFailures(c, null, null, address, now - window, options.LockoutFailures),
                 })
            // With the limit reached, the next attempt may come when the oldest of those failures leaves the window.
            if (failures.Count >= options.LockoutFailures)
                until = Math.Max(until, failures[options.LockoutFailures - 1] + window);
        return until > now ? TimeSpan.FromMilliseconds(until - now) : null;
    }

    /// <summary>The member's workspaces that can be used here (the demo ones only in Development).</summary>
    static IReadOnlyList<MemberWorkspace> Usable(IReadOnlyList<MemberWorkspace> all, IHostEnvironment env) =>
        all.Where(w => !DemoWorkspace.IsRefused(w.WorkspaceId, env)).ToList();

    static SessionResponse Describe(Member member, MemberWorkspace current, IReadOnlyList<MemberWorkspace> workspaces, string csrf, RoleGrants grants) =>
        new(new SessionMember(member.Id, member.Email, member.Name), current.WorkspaceId, current.Role, grants.OfRole(current.Role, current.WorkspaceId),
            workspaces.Select(w => new SessionWorkspace(w.WorkspaceId, w.Name, w.Role)).ToList(), csrf);

    static async Task<Results<Ok<SessionResponse>, Ok<NoSessionResponse>>> Current(HttpContext http, Db db, IHostEnvironment env,
        IOptions<OidcOptions> oidc, RoleGrants grants)
    {
        var result = await http.AuthenticateAsync(SessionAuthenticationHandler.SchemeName);
        if (!result.Succeeded)
            return TypedResults.Ok(new NoSessionResponse(false, result.Failure?.Message, oidc.Value.Enabled));
        var user = result.Principal;
        using var c = db.Open();
        var member = MemberStore.Find(c, null, user.FindFirst(SessionAuthenticationHandler.MemberClaim)!.Value);
        if (member is null)
            return TypedResults.Ok(new NoSessionResponse(false, "Your account no longer exists.", oidc.Value.Enabled));
        var workspaces = Usable(MembershipStore.WorkspacesOf(c, null, member.Id), env);
        var current = workspaces.First(w => w.WorkspaceId == user.WorkspaceId());
        return TypedResults.Ok(Describe(member, current, workspaces, user.FindFirst(SessionAuthenticationHandler.CsrfClaim)!.Value, grants));
    }

    static async Task<Results<Ok<SessionResponse>, ValidationProblem, ProblemHttpResult>> Switch(
        SwitchWorkspaceRequest? body, ClaimsPrincipal user, Db db, WriteQueue writer, IHostEnvironment env, RoleGrants grants)
    {
        if (string.IsNullOrEmpty(body?.WorkspaceId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["workspaceId"] = ["Name the workspace to switch to."] });
        var memberId = user.FindFirst(SessionAuthenticationHandler.MemberClaim)!.Value;
        Member member;
        IReadOnlyList<MemberWorkspace> workspaces;
        using (var c = db.Open())
        {
            member = MemberStore.Find(c, null, memberId)!;
            workspaces = Usable(MembershipStore.WorkspacesOf(c, null, memberId), env);
        }
        if (workspaces.FirstOrDefault(w => w.WorkspaceId == body.WorkspaceId) is not { } target)
            return Problems.NotFound($"You are not a member of a workspace '{body.WorkspaceId}'.");
        var sessionId = user.FindFirst(SessionAuthenticationHandler.SessionClaim)!.Value;
        await writer.ExecuteAsync((c, tx) => SessionStore.SwitchWorkspace(c, tx, sessionId, target.WorkspaceId));
        return TypedResults.Ok(Describe(member, target, workspaces, user.FindFirst(SessionAuthenticationHandler.CsrfClaim)!.Value, grants));
    }

    static async Task<NoContent> SignOut(HttpContext http, WriteQueue writer, TimeProvider time)
    {
        var sessionId = http.User.FindFirst(SessionAuthenticationHandler.SessionClaim)!.Value;
        var actor = Actor.Of(http);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await writer.ExecuteAsync((c, tx) =>
        {
            SessionStore.End(c, tx, sessionId);
            Audit.Write(c, tx, actor, null, "member.signed_out", actor.Id, now);
        });
        http.Response.Cookies.Delete(SessionAuthenticationHandler.CookieName, SessionAuthenticationHandler.Cookie(http.Request));
        return TypedResults.NoContent();
    }

    static async Task<Ok<SignedOutResponse>> SignOutEverywhere(HttpContext http, WriteQueue writer, TimeProvider time)
    {
        var actor = Actor.Of(http);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ended = await writer.ExecuteAsync((c, tx) =>
        {
            var count = SessionStore.EndAll(c, tx, actor.Id!);
            Audit.Write(c, tx, actor, null, "member.signed_out_everywhere", actor.Id, now, after: new { sessions = count });
            return count;
        });
        http.Response.Cookies.Delete(SessionAuthenticationHandler.CookieName, SessionAuthenticationHandler.Cookie(http.Request));
        return TypedResults.Ok(new SignedOutResponse(ended));
    }

    /// <summary>What a one-time link is for, before the person sets a password: or 404 (unknown) / 410 (used, expired).</summary>
    static Results<Ok<LinkResponse>, ProblemHttpResult> OpenLink(LinkRequest? body, Db db, TimeProvider time)
    {
        using var c = db.Open();
        if (Usable(c, body?.Token, time.GetUtcNow().ToUnixTimeMilliseconds(), out var invitation) is { } refused)
            return refused;
        var member = MemberStore.Find(c, null, invitation.MemberId)!;
        var workspace = invitation.WorkspaceId is null ? null : new WorkspaceStore(db).Find(invitation.WorkspaceId);
        return TypedResults.Ok(new LinkResponse(invitation.Kind, member.Email, workspace?.Name, invitation.Role,
            NeedsPassword: invitation.Kind == InvitationStore.Reset || member.PasswordHash is null, Db.FromUnixMs(invitation.ExpiresAt)));
    }

    /// <summary>The refusal of a link that cannot be used (unknown, used, expired), or null.</summary>
    static ProblemHttpResult? Usable(DbConnection c, string? token, long now, out Invitation invitation)
    {
        invitation = (token is null ? null : InvitationStore.FindByToken(c, null, token))!;
        if (invitation is null)
            return Problems.NotFound("This link is not known; copy the whole link, or ask an owner for a new one.");
        if (invitation.UsedAt is not null)
            return Problems.Gone("This link was used already; sign in, or ask an owner for a new one.");
        if (invitation.ExpiresAt <= now)
            return Problems.Gone("This link has expired (links work for 7 days); ask an owner for a new one.");
        return null;
    }

    /// <summary>
    /// Accepts a link: an invitation makes the person a member (setting their name and password,
    /// or checking the password they already have); a reset sets a new password and ends every
    /// session. Either way the person is signed in. The link works once.
    /// </summary>
    static async Task<Results<Ok<SessionResponse>, ValidationProblem, ProblemHttpResult>> AcceptLink(
        AcceptLinkRequest? body, HttpContext http, Db db, WriteQueue writer, TimeProvider time, IHostEnvironment env, RoleGrants grants)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { token, name?, password }.");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        Invitation invitation;
        Member member;
        using (var c = db.Open())
        {
            if (Usable(c, body.Token, now, out invitation) is { } refused)
                return refused;
            member = MemberStore.Find(c, null, invitation.MemberId)!;
        }
        var settingPassword = invitation.Kind == InvitationStore.Reset || member.PasswordHash is null;
        var errors = new Dictionary<string, string[]>();
        var name = body.Name?.Trim();
        if (name is { Length: 0 or > MaxNameLength } || (name is not null && FreeText.HasControl(name)))
            errors["name"] = [$"Give a name of 1 to {MaxNameLength} characters, as your team will see it."];
        if (settingPassword && Passwords.Problem(body.Password, member.Email) is { } weak)
            errors["password"] = [weak];
        if (!settingPassword && !Passwords.Verify(member.PasswordHash, body.Password ?? ""))
            errors["password"] = ["You already have a Pulse account: give its password to join this workspace."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var hash = settingPassword ? Passwords.Hash(body.Password!) : null;
        var actor = new Actor(Actor.MemberType, member.Id, member.Email, Actor.AddressOf(http));
        var accepted = await writer.ExecuteAsync((c, tx) =>
        {
            // Checked again inside the transaction: two tabs accepting at once use the link once.
            if (!InvitationStore.Use(c, tx, invitation.Id, now))
                return null;
            if (hash is not null)
                MemberStore.SetPassword(c, tx, member.Id, hash, name);
            if (invitation.Kind == InvitationStore.Reset)
            {
                SessionStore.EndAll(c, tx, member.Id);
                Audit.Write(c, tx, actor, null, "member.password_reset", member.Id, now);
            }
            else
            {
                MembershipStore.Put(c, tx, invitation.WorkspaceId!, member.Id, invitation.Role!, now);
                Audit.Write(c, tx, actor, invitation.WorkspaceId, "member.joined", member.Id, now, after: new { role = invitation.Role });
            }
            var workspaces = Usable(MembershipStore.WorkspacesOf(c, tx, member.Id), env);
            var target = workspaces.FirstOrDefault(w => w.WorkspaceId == invitation.WorkspaceId) ?? workspaces.FirstOrDefault();
            if (target is null)
                return new Accepted(MemberStore.Find(c, tx, member.Id)!, null, workspaces, null, null);
            Audit.Write(c, tx, actor, null, AuditStore.SignedIn, member.Id, now);
            var (_, token, csrf) = SessionStore.Create(c, tx, member.Id, target.WorkspaceId, now);
            return new Accepted(MemberStore.Find(c, tx, member.Id)!, target, workspaces, token, csrf);
        });
        if (accepted is null)
            return Problems.Gone("This link was used already; sign in, or ask an owner for a new one.");
        if (accepted.Current is null)
            return Problems.Forbidden("Your password is set, but you are not a member of any workspace (any more); ask an owner to invite you.");
        http.Response.Cookies.Append(SessionAuthenticationHandler.CookieName, accepted.Token!, SessionAuthenticationHandler.Cookie(http.Request));
        return TypedResults.Ok(Describe(accepted.Member, accepted.Current, accepted.Workspaces, accepted.Csrf!, grants));
    }

    sealed record Accepted(Member Member, MemberWorkspace? Current, IReadOnlyList<MemberWorkspace> Workspaces, string? Token, string? Csrf);
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SignInRequest(string? Email, string? Password, string? WorkspaceId = null);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SwitchWorkspaceRequest(string? WorkspaceId);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkRequest(string? Token);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AcceptLinkRequest(string? Token, string? Name, string? Password);

public sealed record SessionMember(string Id, string Email, string? Name);

public sealed record SessionWorkspace(string Id, string Name, string Role);

/// <summary>The signed-in member, the workspace they look at, their role and its permissions there, their workspaces, and the CSRF token for writes.</summary>
public sealed record SessionResponse(
    SessionMember Member,
    string WorkspaceId,
    string Role,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<SessionWorkspace> Workspaces,
    string CsrfToken);

public sealed record SignedOutResponse(int Sessions);

/// <summary>No session: none was sent (<c>ended</c> null), or it ended (why); <c>sso</c>: single sign-on is offered.</summary>
public sealed record NoSessionResponse(bool SignedIn, string? Ended, bool Sso = false);

/// <summary>What a one-time link is: an invitation (workspace, role) or a password reset, for whom, and whether a password is to be set.</summary>
public sealed record LinkResponse(string Kind, string Email, string? WorkspaceName, string? Role, bool NeedsPassword, DateTimeOffset ExpiresAt);
