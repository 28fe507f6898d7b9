using System.Globalization;
using System.Security.Claims;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary><c>GET /v1/audit-log</c> (newest first, cursor paging, filters) and its CSV export.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapAuditLog(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Audit log").DisableValidation();
        group.MapGet("/audit-log", List).WithName("ListAuditLog").RequirePermission(Permissions.ReadAudit)
            .WithSummary("Who changed what, newest first: by actor (member id, email, key id or hint), action (e.g. survey or survey.updated) and time; cursor paging.");
        group.MapGet("/audit-log.csv", Export).WithName("ExportAuditLog").RequirePermission(Permissions.ReadAudit)
            .WithSummary("The matching entries as CSV, newest first, streamed.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return app;
    }

    static Results<Ok<AuditPage>, ValidationProblem> List([AsParameters] AuditQuery query, ClaimsPrincipal user, Db db)
    {
        if (!Parse(query, user, out var filter, out var errors))
            return TypedResults.ValidationProblem(errors);
        using var c = db.Open();
        var items = AuditStore.Page(c, filter with { Limit = filter.Limit + 1 }).ToList();
        var next = items.Count > filter.Limit ? items[filter.Limit - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditPage(items.Take(filter.Limit).ToList(), next));
    }

    static Results<PushStreamHttpResult, ValidationProblem> Export([AsParameters] AuditExportQuery query, ClaimsPrincipal user, Db db, HttpContext http)
    {
        if (!Parse(new AuditQuery(query.Actor, query.Action, query.From, query.To, null, null), user, out var filter, out var errors))
            return TypedResults.ValidationProblem(errors);
        var aborted = http.RequestAborted;
        return TypedResults.Stream(async body =>
        {
            using var c = db.Open();
            var csv = CsvWriter.Create(body, CsvWriterOptions.Default with { Injection = CsvInjection.None }, leaveOpen: true);
            await using (csv.ConfigureAwait(false))
            {
                foreach (var column in Columns)
                    csv.WriteField(column);
                await csv.EndRecordAsync(aborted).ConfigureAwait(false);
                foreach (var e in AuditStore.Page(c, filter with { Limit = int.MaxValue }))
                {
                    csv.WriteField(e.Id.ToString(CultureInfo.InvariantCulture));
                    csv.WriteField(e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    foreach (var cell in new[] { e.ActorType, e.ActorId, e.Actor, e.Action, e.Target, e.Address, e.Before?.GetRawText(), e.After?.GetRawText() })
                        csv.WriteField(CsvExport.Neutralise(cell));
                    await csv.EndRecordAsync(aborted).ConfigureAwait(false);
                }
                await csv.FlushAsync(aborted).ConfigureAwait(false);
            }
        }, "text/csv; charset=utf-8", "audit-log.csv");
    }

    public static readonly IReadOnlyList<string> Columns = ["id", "at", "actorType", "actorId", "actor", "action", "target", "address", "before", "after"];

    static bool Parse(AuditQuery q, ClaimsPrincipal user, out AuditFilter filter, out Dictionary<string, string[]> errors)
    {
        errors = [];
        long? from = null, to = null, cursor = null;
        var limit = DefaultLimit;
        if (q.From is not null)
            if (Instant(q.From, endOfDay: false) is { } f)
                from = f;
            else
                errors["from"] = ["Give a date (2026-03-01) or a date and time with an offset (2026-03-01T09:00:00Z)."];
        if (q.To is not null)
            if (Instant(q.To, endOfDay: true) is { } t)
                to = t;
            else
                errors["to"] = ["Give a date (2026-03-31, included) or a date and time with an offset (2026-03-31T18:00:00Z, excluded)."];
        if (q.Cursor is not null)
            if (long.TryParse(q.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
                cursor = id;
            else
                errors["cursor"] = ["Pass the nextCursor of the previous page unchanged."];
        if (q.Limit is not null)
            if (int.TryParse(q.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit)
                limit = n;
            else
                errors["limit"] = [$"Choose a limit from 1 to {MaxLimit} (default {DefaultLimit})."];
        if (q.Actor is { Length: 0 or > 254 })
            errors["actor"] = ["Give a member id, email, key id or key hint of 1 to 254 characters."];
        if (q.Action is { Length: 0 or > 64 })
            errors["action"] = ["Give an action (survey.updated) or a kind of action (survey) of 1 to 64 characters."];
        filter = new AuditFilter(user.WorkspaceId(), q.Actor, q.Action, from, to, cursor, limit);
        return errors.Count == 0;
    }

    /// <summary>Unix ms of a date (its start; with <paramref name="endOfDay"/>, the start of the next day) or a date-time with an offset.</summary>
    static long? Instant(string text, bool endOfDay)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0).ToUnixTimeMilliseconds();
        return text.Length > 10 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUnixTimeMilliseconds() : null;
    }
}

/// <summary>The query of the audit log, bound once and checked by the handler.</summary>
/// <param name="Actor">A member id or email, a key id or hint.</param>
/// <param name="Action">An action (survey.updated) or a kind (survey: every survey.* action).</param>
/// <param name="From">From this date or instant (included).</param>
/// <param name="To">Up to this date (included) or instant (excluded).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Limit">Entries per page, 1–200 (default 50).</param>
public sealed record AuditQuery(
    [FromQuery(Name = "actor")] string? Actor,
    [FromQuery(Name = "action")] string? Action,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "cursor")] string? Cursor,
    [FromQuery(Name = "limit")] string? Limit);

/// <summary>The query of the audit log's CSV export: every matching entry, newest first.</summary>
/// <param name="Actor">A member id or email, a key id or hint.</param>
/// <param name="Action">An action (survey.updated) or a kind (survey: every survey.* action).</param>
/// <param name="From">From this date or instant (included).</param>
/// <param name="To">Up to this date (included) or instant (excluded).</param>
public sealed record AuditExportQuery(
    [FromQuery(Name = "actor")] string? Actor,
    [FromQuery(Name = "action")] string? Action,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To);

public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, string? NextCursor);
