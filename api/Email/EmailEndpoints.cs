using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Email;

/// <summary>
/// <c>/v1/email</c>: whether email is configured and the delivery log (like webhooks');
/// <c>/dashboard/api/email</c>: the signed-in member's email preferences and the preview of their digest.
/// </summary>
public static class EmailEndpoints
{
    /// <summary>The preview is shown in a sandboxed iframe of the dashboard: no script, inline styles only, framed by Pulse alone.</summary>
    public const string PreviewPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapEmail(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/email").WithTags("Email").DisableValidation();
        group.MapGet("", Status).WithName("GetEmailStatus").RequirePermission(Permissions.ReadWorkspace)
            .WithSummary("Whether Pulse sends email (SMTP configured), from which address, and where its links point.");
        group.MapGet("/deliveries", Deliveries).WithName("ListEmailDeliveries").RequirePermission(Permissions.ReadAudit)
            .WithSummary("The workspace's emails, newest first: kind, recipient, subject, status, attempts, last error, next attempt.");
        group.MapPost("/deliveries/{deliveryId:long}/retry", Retry).WithName("RetryEmailDelivery").RequirePermission(Permissions.ManageWorkspace)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Sends a failed or uncertain email again now, with the same Message-ID.");
        // The member's own: a session, never a key, so they are the dashboard's (not in the OpenAPI document), like sign-in.
        var own = app.MapGroup("/dashboard/api/email").WithTags("Email").ExcludeFromDescription().DisableValidation();
        own.MapGet("/preferences", GetPreferences).WithName("GetEmailPreferences").RequirePermission(Permissions.Account)
            .WithSummary("The signed-in member's email preferences in this workspace: follow-up emails, digest, its day, hour and time zone.");
        own.MapPut("/preferences", PutPreferences).WithName("SetEmailPreferences").RequirePermission(Permissions.Account).WithBodyLimit(4 * 1024)
            .WithSummary("Changes the signed-in member's email preferences; omitted fields stay.");
        own.MapGet("/digest/preview", Preview).WithName("PreviewDigest").RequirePermission(Permissions.Account)
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .WithSummary("The signed-in member's digest as it would be sent now (the period ending now), as HTML.");
        return app;
    }

    static Ok<EmailStatusResponse> Status(IOptions<EmailOptions> options, EmailLinks links) =>
        TypedResults.Ok(new EmailStatusResponse(options.Value.Configured, options.Value.Configured ? options.Value.Smtp.From : null, links.Dashboard));

    static Results<Ok<EmailDeliveryPage>, ValidationProblem> Deliveries(ClaimsPrincipal user, EmailStore store, [AsParameters] DeliveryQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Status is not null && !EmailStore.Statuses.Contains(query.Status))
            errors["status"] = [$"Use {string.Join(", ", EmailStore.Statuses)}."];
        var (cursor, limit) = query.Page(errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: $"Invalid parameter '{errors.First().Key}': {errors.First().Value[0]}");
        var rows = store.Log(user.WorkspaceId(), query.Status, cursor ?? long.MaxValue, limit + 1);
        var items = rows.Take(limit).Select(ToResponse).ToList();
        return TypedResults.Ok(new EmailDeliveryPage(items, rows.Count > limit ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    static async Task<Results<Accepted<EmailDeliveryResponse>, ProblemHttpResult>> Retry(long deliveryId, HttpContext http, ClaimsPrincipal user, WriteQueue writer,
        [FromKeyedServices(EmailServices.Key)] WebhookSignal signal, TimeProvider time, IOptions<EmailOptions> options)
    {
        if (!options.Value.Configured)
            return Problems.Of(StatusCodes.Status409Conflict, NotConfigured);
        var id = deliveryId;
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(http);
        var (found, retried) = await writer.ExecuteAsync((c, tx) =>
        {
            var row = EmailStore.Find(c, tx, workspaceId, id);
            if (row is null)
                return ((EmailLogRow?)null, false);
            if (!EmailStore.RetryMessage(c, tx, workspaceId, id, now))
                return (row, false);
            Audit.Write(c, tx, actor, workspaceId, "email.retried", id.ToString(CultureInfo.InvariantCulture), now, after: new { row.Kind, row.Recipient });
            return (EmailStore.Find(c, tx, workspaceId, id), true);
        });
        if (found is null)
            return Problems.NotFound($"This workspace has no email {id}; GET /v1/email/deliveries lists them.");
        if (!retried)
            return Problems.Of(StatusCodes.Status409Conflict, $"Email {id} is {found.Status}: only a failed or uncertain email can be sent again.");
        signal.Notify();
        return TypedResults.Accepted($"/v1/email/deliveries/{id}", ToResponse(found));
    }

    static Results<Ok<EmailPreferencesResponse>, ProblemHttpResult> GetPreferences(ClaimsPrincipal user, EmailStore store)
    {
        if (user.FindFirst(CallerClaims.Member)?.Value is not { } memberId)
            return MembersOnly;
        return TypedResults.Ok(EmailPreferencesResponse.Of(store.Preferences(user.WorkspaceId(), memberId)));
    }

    static async Task<Results<Ok<EmailPreferencesResponse>, ValidationProblem, ProblemHttpResult>> PutPreferences(
        EmailPreferencesRequest? body, ClaimsPrincipal user, EmailStore store, WriteQueue writer, TimeProvider time)
    {
        if (user.FindFirst(CallerClaims.Member)?.Value is not { } memberId)
            return MembersOnly;
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { followUpEmails, digest, digestDay, digestHour, timeZone }.");
        var workspaceId = user.WorkspaceId();
        var current = store.Preferences(workspaceId, memberId);
        var errors = new Dictionary<string, string[]>();
        if (body.Digest is not null && !DigestFrequency.All.Contains(body.Digest))
            errors["digest"] = [$"Choose {string.Join(", ", DigestFrequency.All)}."];
        if (body.DigestDay is < 0 or > 6)
            errors["digestDay"] = ["Give a weekday from 0 (Sunday) to 6 (Saturday)."];
        if (body.DigestHour is < 0 or > 23)
            errors["digestHour"] = ["Give an hour from 0 to 23."];
        if (body.TimeZone is not null && DigestSchedule.Zone(body.TimeZone) is null)
            errors["timeZone"] = ["Give an IANA time zone, e.g. Europe/Paris or America/New_York."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var next = new EmailPreferences(body.FollowUpEmails ?? current.FollowUpEmails, body.Digest ?? current.Digest, body.DigestDay ?? current.DigestDay,
            body.DigestHour ?? current.DigestHour, body.TimeZone ?? current.TimeZone);
        var now = time.GetUtcNow();
        // The slot already passed under the new schedule gets no digest: changing the hour never sends one at once.
        var passed = DigestSchedule.LastSlot(next.Digest, next.DigestDay, next.DigestHour, DigestSchedule.Zone(next.TimeZone)!, now).ToUnixTimeMilliseconds();
        await writer.ExecuteAsync((c, tx) => EmailStore.SavePreferences(c, tx, workspaceId, memberId, next, passed, now.ToUnixTimeMilliseconds()));
        return TypedResults.Ok(EmailPreferencesResponse.Of(next));
    }

    static Results<ContentHttpResult, ProblemHttpResult> Preview(HttpContext http, ClaimsPrincipal user, EmailStore store, DigestBuilder builder, EmailLinks links,
        TimeProvider time)
    {
        if (user.FindFirst(CallerClaims.Member)?.Value is not { } memberId)
            return MembersOnly;
        var workspaceId = user.WorkspaceId();
        var p = store.Preferences(workspaceId, memberId);
        var frequency = p.Digest == DigestFrequency.Off ? DigestFrequency.Weekly : p.Digest;
        var zone = DigestSchedule.Zone(p.TimeZone) ?? TimeZoneInfo.Utc;
        var now = time.GetUtcNow();
        var (_, html, _) = EmailTemplates.Digest(builder.Build(workspaceId, frequency, zone, now, now.ToUnixTimeMilliseconds()), links.Dashboard);
        http.Response.Headers.ContentSecurityPolicy = PreviewPolicy;
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    const string NotConfigured = "Email is not configured on this server: set Email:Smtp:Host and Email:Smtp:From (README, Configuration).";

    static ProblemHttpResult MembersOnly => Problems.Forbidden("Email preferences belong to a member: sign in to the dashboard (a secret key has none).");

    static EmailDeliveryResponse ToResponse(EmailLogRow r) => new(r.Id, r.MessageId, r.Kind, r.Recipient, r.Subject, r.Status, (int)r.Attempts, r.LastError,
        r.LastAttemptAt is { } a ? Db.FromUnixMs(a) : null, r.NextAttemptAt is { } n ? Db.FromUnixMs(n) : null,
        r.SentAt is { } s ? Db.FromUnixMs(s) : null, Db.FromUnixMs(r.CreatedAt));
}

/// <summary><c>GET /v1/email</c>: whether email is configured (<c>Email:Smtp:Host</c> and <c>From</c>), and where links in emails point.</summary>
public sealed record EmailStatusResponse(bool Configured, string? From, string DashboardUrl);

/// <summary>One email of the delivery log; its bodies are not shown (they held one-time links).</summary>
public sealed record EmailDeliveryResponse(long Id, string MessageId, string Kind, string Recipient, string Subject, string Status, int Attempts,
    string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, DateTimeOffset CreatedAt);

public sealed record EmailDeliveryPage(IReadOnlyList<EmailDeliveryResponse> Items, string? NextCursor);

/// <summary>A member's email preferences in one workspace; the digest goes at <c>digestHour</c> in <c>timeZone</c> (and on <c>digestDay</c>, 0 Sunday, when weekly).</summary>
public sealed record EmailPreferencesResponse(bool FollowUpEmails, string Digest, int DigestDay, int DigestHour, string TimeZone)
{
    public static EmailPreferencesResponse Of(EmailPreferences p) => new(p.FollowUpEmails, p.Digest, p.DigestDay, p.DigestHour, p.TimeZone);
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EmailPreferencesRequest(bool? FollowUpEmails, string? Digest, int? DigestDay, int? DigestHour,
    [property: System.ComponentModel.DataAnnotations.StringLength(64)] string? TimeZone);
