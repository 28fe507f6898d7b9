using System.Data.Common;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>
/// <c>/v1/members</c>: the people of a workspace and their roles (the dashboard's Team page, or a
/// full key). An invitation answers a one-time link, shown only then; the last owner can be
/// neither removed nor demoted.
/// </summary>
public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMembers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/members").WithTags("Members").DisableValidation();
        group.MapGet("", List).WithName("ListMembers").RequirePermission(Permissions.ReadMembers)
            .WithSummary("The workspace's members with their roles; the invitations not accepted yet to those who manage members (others get an empty list).");
        group.MapPost("", Invite).WithName("InviteMember").RequirePermission(Permissions.ManageMembers).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Invites a person by email with a role; the answer carries a one-time link (7 days), shown only here.");
        group.MapPut("/{id}", SetRole).WithName("SetMemberRole").RequirePermission(Permissions.ManageMembers).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Gives a member another role; the last owner cannot be demoted.");
        group.MapDelete("/{id}", Remove).WithName("RemoveMember").RequirePermission(Permissions.ManageMembers)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Removes a member from the workspace and ends their sessions in it; the last owner cannot be removed.");
        group.MapPost("/{id}/password-reset", ResetPassword).WithName("ResetMemberPassword").RequirePermission(Permissions.ManageMembers)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A one-time link (7 days) with which the member sets a new password; shown only here.");
        return app;
    }

    static Ok<MemberList> List(ClaimsPrincipal user, Db db, TimeProvider time, RoleGrants grants)
    {
        var workspaceId = user.WorkspaceId();
        var manages = grants.Allows(Permissions.ManageMembers, user.FindFirst(CallerClaims.Role)?.Value, user.FindFirst(CallerClaims.Scope)?.Value, workspaceId);
        using var c = db.Open();
        return TypedResults.Ok(new MemberList(
            MembershipStore.List(c, null, workspaceId).Select(m => m.ToResponse()).ToList(),
            manages
                ? InvitationStore.Pending(c, null, workspaceId, time.GetUtcNow().ToUnixTimeMilliseconds())
                    .Select(i => new PendingInvitationResponse(i.Id, i.Email, i.Role, Db.FromUnixMs(i.CreatedAt), Db.FromUnixMs(i.ExpiresAt))).ToList()
                : []));
    }

    static async Task<Results<Created<InvitationResponse>, ValidationProblem, ProblemHttpResult>> Invite(
        InviteRequest? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time, IOptions<TeamOptions> options, LinkHooks links)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { email, role }.");
        var errors = new Dictionary<string, string[]>();
        if (!IsEmail(body.Email))
            errors["email"] = ["Give the person's email address, e.g. dana@acme.com."];
        if (!Roles.IsRole(body.Role))
            errors["role"] = [$"Choose a role: {string.Join(", ", Roles.All)}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var email = MemberStore.Normalize(body.Email!);
        var baseUrl = Invitations.BaseUrl(options.Value, http.Request);
        var created = await writer.ExecuteAsync((c, tx) =>
        {
            if (Invitations.Invite(c, tx, actor, workspaceId, body.Email!, body.Role!, now) is not { } link)
                return ((InvitationResponse?)null);
            var answer = Invitations.Describe(link.Invitation, email, link.Token, baseUrl);
            return answer with { Emailed = links.Created(c, tx, Invitations.Announce(c, tx, answer, workspaceId, actor, now)) };
        });
        if (created is null)
            return Problems.Of(StatusCodes.Status409Conflict, $"{body.Email} is already a member of this workspace; change their role instead.");
        return TypedResults.Created($"/v1/members/{created.MemberId}", created);
    }

    static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> SetRole(
        string id, SetRoleRequest? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        if (!Roles.IsRole(body?.Role))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"Choose a role: {string.Join(", ", Roles.All)}."] });
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var (outcome, member) = await writer.ExecuteAsync((c, tx) =>
        {
            var current = MembershipStore.Find(c, tx, workspaceId, id);
            if (current is null)
                return (Outcome.Unknown, null);
            if (MembershipStore.WouldLeaveNoOwner(c, tx, current, body!.Role))
                return (Outcome.LastOwner, current);
            MembershipStore.SetRole(c, tx, workspaceId, id, body.Role!);
            var next = current with { Role = body.Role! };
            Audit.Write(c, tx, actor, workspaceId, "member.role_changed", id, now, new { current.Email, current.Role }, new { next.Email, next.Role });
            return (Outcome.Done, (Membership?)next);
        });
        return outcome switch
        {
            Outcome.Unknown => NotFound(id),
            Outcome.LastOwner => LastOwner,
            _ => TypedResults.Ok(member!.ToResponse()),
        };
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Remove(string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var outcome = await writer.ExecuteAsync((c, tx) => Invitations.Remove(c, tx, actor, workspaceId, id, now));
        return outcome switch
        {
            Outcome.Unknown => NotFound(id),
            Outcome.LastOwner => LastOwner,
            _ => TypedResults.NoContent(),
        };
    }

    static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> ResetPassword(
        string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time, IOptions<TeamOptions> options, LinkHooks links)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var baseUrl = Invitations.BaseUrl(options.Value, http.Request);
        var (outcome, created, email) = await writer.ExecuteAsync((c, tx) =>
        {
            var member = MembershipStore.Find(c, tx, workspaceId, id);
            if (member is null)
                return (Outcome.Unknown, (InvitationResponse?)null, (string?)null);
            // An owner of one workspace must not take over an account that also opens others.
            if (MembershipStore.WorkspacesOf(c, tx, id).Count > 1)
                return (Outcome.Elsewhere, null, (string?)member.Email);
            var link = InvitationStore.Create(c, tx, InvitationStore.Reset, id, workspaceId, null, now);
            Audit.Write(c, tx, actor, workspaceId, "member.password_reset_link", id, now, after: new { member.Email });
            var answer = Invitations.Describe(link.Invitation, member.Email, link.Token, baseUrl);
            answer = answer with { Emailed = links.Created(c, tx, Invitations.Announce(c, tx, answer, workspaceId, actor, now)) };
            return (Outcome.Done, (InvitationResponse?)answer, (string?)member.Email);
        });
        return outcome switch
        {
            Outcome.Unknown => NotFound(id),
            Outcome.Elsewhere => Problems.Of(StatusCodes.Status409Conflict,
                $"{email} also belongs to other workspaces, so only the server's command line can reset their password: members reset-password --email {email}."),
            _ => TypedResults.Created($"/v1/members/{id}", created!),
        };
    }

    internal enum Outcome { Unknown, Done, LastOwner, Elsewhere }

    static ProblemHttpResult NotFound(string id) => Problems.NotFound($"This workspace has no member '{id}'; GET /v1/members lists them.");

    static ProblemHttpResult LastOwner => Problems.Of(StatusCodes.Status409Conflict,
        "This is the workspace's last owner: make another member owner first, so someone can still manage members and keys.");

    /// <summary>A plausible email: one @ with text on both sides, a dot in the domain, no spaces or control characters.</summary>
    public static bool IsEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > SessionEndpoints.MaxEmailLength || FreeText.HasControl(email) || email.Any(char.IsWhiteSpace))
            return false;
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.');
    }
}

/// <summary>Invitations and removals, shared by the API and the command line (each in the caller's transaction, with its audit entry).</summary>
public static class Invitations
{
    /// <summary>Invites <paramref name="email"/> with a role; null when the person is already a member.</summary>
    public static (Invitation Invitation, string Token)? Invite(DbConnection c, DbTransaction tx,
        Actor actor, string workspaceId, string email, string role, long now)
    {
        var member = MemberStore.FindOrCreate(c, tx, email, now);
        if (MembershipStore.Find(c, tx, workspaceId, member.Id) is not null)
            return null;
        var created = InvitationStore.Create(c, tx, InvitationStore.Invite, member.Id, workspaceId, role, now);
        Audit.Write(c, tx, actor, workspaceId, "member.invited", member.Id, now, after: new { member.Email, role });
        return created;
    }

    /// <summary>Removes a member from a workspace, ending their sessions there and withdrawing their pending invitations.</summary>
    internal static MemberEndpoints.Outcome Remove(DbConnection c, DbTransaction tx,
        Actor actor, string workspaceId, string memberId, long now)
    {
        var current = MembershipStore.Find(c, tx, workspaceId, memberId);
        if (current is null)
            return MemberEndpoints.Outcome.Unknown;
        if (MembershipStore.WouldLeaveNoOwner(c, tx, current, null))
            return MemberEndpoints.Outcome.LastOwner;
        MembershipStore.Remove(c, tx, workspaceId, memberId);
        InvitationStore.Withdraw(c, tx, workspaceId, memberId);
        SessionStore.EndIn(c, tx, memberId, workspaceId);
        Audit.Write(c, tx, actor, workspaceId, "member.removed", memberId, now, before: new { current.Email, current.Role });
        return MemberEndpoints.Outcome.Done;
    }

    /// <summary>Where links point: <c>Authentication:PublicUrl</c>, else the address the request came to.</summary>
    public static string BaseUrl(TeamOptions options, HttpRequest? request) =>
        (options.PublicUrl ?? (request is null ? "http://localhost:5080" : $"{request.Scheme}://{request.Host}")).TrimEnd('/');

    /// <summary>The link of a token: the token is in the fragment, which browsers never send to a server or in a Referer.</summary>
    public static string Link(string baseUrl, string token) => $"{baseUrl}/dashboard#/link/{token}";

    public static InvitationResponse Describe(Invitation invitation, string email, string token, string baseUrl) =>
        new(invitation.Id, invitation.MemberId, email, invitation.Role, invitation.Kind, Link(baseUrl, token), Db.FromUnixMs(invitation.ExpiresAt));

    /// <summary>The event the <see cref="ILinkHook"/>s get for a link just made (the email outbox sends it).</summary>
    public static LinkCreated Announce(DbConnection c, DbTransaction tx,
        InvitationResponse link, string workspaceId, Actor actor, long now) =>
        new(workspaceId, WorkspaceStore.Find(c, tx, workspaceId)?.Name, link.MemberId, link.Email, link.Kind, link.Role, link.Link,
            link.ExpiresAt.ToUnixTimeMilliseconds(), actor.Label, now);
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record InviteRequest([property: StringLength(SessionEndpoints.MaxEmailLength)] string? Email, string? Role);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetRoleRequest(string? Role);

public sealed record MemberResponse(string Id, string Email, string? Name, string Role, DateTimeOffset JoinedAt);

public sealed record PendingInvitationResponse(string Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record MemberList(IReadOnlyList<MemberResponse> Items, IReadOnlyList<PendingInvitationResponse> Invitations);

/// <summary>
/// A one-time link (invitation or password reset), shown only in this answer. <c>Emailed</c>: the
/// link was also queued by email to the person (email is configured, decision E3).
/// </summary>
public sealed record InvitationResponse(string Id, string MemberId, string Email, string? Role, string Kind, string Link, DateTimeOffset ExpiresAt,
    bool Emailed = false);

public static class MemberMapping
{
    public static MemberResponse ToResponse(this Membership m) => new(m.MemberId, m.Email, m.Name, m.Role, Db.FromUnixMs(m.CreatedAt));
}
