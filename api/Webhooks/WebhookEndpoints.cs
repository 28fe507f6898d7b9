using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Webhooks;

/// <summary><c>/v1/webhooks</c>: subscriptions, their delivery log, manual retries, test pings and secret rotation.</summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags("Webhooks");
        group.MapPost("", Create).WithName("CreateWebhook").RequirePermission(Permissions.ManageWebhooks)
            .WithSummary("Subscribes a URL to events; the answer carries the signing secret, shown only here.")
            .WithBodyLimit(16 * 1024);
        group.MapGet("", List).WithName("ListWebhooks").RequirePermission(Permissions.ReadWebhooks).WithSummary("The workspace's webhook subscriptions (without secrets).");
        group.MapGet("{id}", Get).WithName("GetWebhook").RequirePermission(Permissions.ReadWebhooks).WithSummary("One subscription (without its secret).");
        group.MapPatch("{id}", Update).WithName("UpdateWebhook").RequirePermission(Permissions.ManageWebhooks).WithBodyLimit(16 * 1024)
            .WithSummary("Changes a subscription's url, events, format or filters (categories, surveyId, where); the secret and the deliveries stay.");
        group.MapDelete("{id}", Delete).WithName("DeleteWebhook").RequirePermission(Permissions.ManageWebhooks).WithSummary("Deletes a subscription and its pending deliveries.");
        group.MapGet("{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries").RequirePermission(Permissions.ReadWebhooks)
            .WithSummary("The delivery log, newest first: status, attempts, last HTTP status and error, next attempt.");
        group.MapPost("{id}/deliveries/{deliveryId:long}/retry", Retry).WithName("RetryWebhookDelivery").RequirePermission(Permissions.ManageWebhooks)
            .WithSummary("Makes a delivery due now (also a failed or delivered one).");
        group.MapPost("{id}/test", Test).WithName("TestWebhook").RequirePermission(Permissions.ManageWebhooks).WithSummary("Queues a signed 'ping' event to this subscription.");
        group.MapPost("{id}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret").RequirePermission(Permissions.ManageWebhooks)
            .WithSummary("Issues a new secret; the old one keeps signing beside it for the rotation window.");
        return app;
    }

    static async Task<Results<Created<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CreateWebhookRequest? body, ClaimsPrincipal user, HttpRequest request, WebhookStore store, SurveyStore surveys, WebhookTargetGuard guard,
        WriteQueue writer, TimeProvider time, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { url, events, categories?, surveyId?, format?, where? }.");
        var errors = new Dictionary<string, string[]>();
        if (!WebhookTargets.TryParseUrl(body.Url, !guard.Enabled, out var url, out var urlError))
            errors["url"] = [urlError];
        var events = Validate(body.Events, WebhookEvents.Subscribable, "events", "event type", errors, required: true,
            unknownHint: e => e == WebhookEvents.Ping ? " Pings are sent with POST /v1/webhooks/{id}/test." : "");
        var categories = body.Categories is null ? null
            : Validate(body.Categories, WebhookEvents.Categories, "categories", "category", errors, required: true, unknownHint: _ => "");
        var format = body.Format ?? "json";
        if (format is not ("json" or "slack"))
            errors["format"] = [$"'{body.Format}' is not a format; use json or slack."];
        var workspaceId = user.WorkspaceId();
        if (body.SurveyId is not null && surveys.Ids(workspaceId, body.SurveyId, SurveyUse.Configuration) is null)
            errors["surveyId"] = [$"There is no survey '{body.SurveyId}' in this workspace; leave it out for every survey, or pick one from GET /v1/surveys."];
        else
            CheckKind(categories, body.SurveyId, surveys, errors);
        var where = CheckWhere(body.Where, errors);
        if (errors.Count == 0 && await guard.CheckAsync(url, cancellationToken) is { } refused)
            errors["url"] = [refused];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var dashboardBase = $"{request.Scheme}://{request.Host}";
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var max = options.Value.MaxPerWorkspace;
        var actor = Actor.Of(request.HttpContext);
        var row = await writer.ExecuteAsync((c, tx) =>
        {
            if (WebhookStore.Count(c, tx, workspaceId) >= max)
                return null;
            var inserted = WebhookStore.Insert(c, tx, workspaceId, url, events, categories, body.SurveyId, where, format, dashboardBase, now);
            Audit.Write(c, tx, actor, workspaceId, "webhook.created", inserted.Id, now, after: inserted.ToResponse(now));
            return inserted;
        });
        if (row is null)
            return LimitReached.Problem("Webhooks:MaxPerWorkspace", max,
                $"This workspace has {max} webhook subscriptions, the most it may have. Delete one first, or widen an existing one's events and categories.");
        return TypedResults.Created($"/v1/webhooks/{row.Id}", row.ToCreated());
    }

    static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Update(
        string id, UpdateWebhookRequest? body, ClaimsPrincipal user, HttpRequest request, WebhookStore store, SurveyStore surveys, WebhookTargetGuard guard,
        WriteQueue writer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object with the fields to change: { url?, events?, categories?, surveyId?, format?, where? }.");
        var errors = new Dictionary<string, string[]>();
        Uri? url = null;
        if (body.Url is not null && !WebhookTargets.TryParseUrl(body.Url, !guard.Enabled, out url, out var urlError))
            errors["url"] = [urlError];
        var events = body.Events is null ? null : Validate(body.Events, WebhookEvents.Subscribable, "events", "event type", errors, required: true,
            unknownHint: e => e == WebhookEvents.Ping ? " Pings are sent with POST /v1/webhooks/{id}/test." : "");
        var categories = body.Categories is null ? null
            : Validate(body.Categories, WebhookEvents.Categories, "categories", "category", errors, required: true, unknownHint: _ => "");
        if (body.Format is not null and not ("json" or "slack"))
            errors["format"] = [$"'{body.Format}' is not a format; use json or slack."];
        var workspaceId = user.WorkspaceId();
        if (body.SurveyId is not null && surveys.Ids(workspaceId, body.SurveyId, SurveyUse.Configuration) is null)
            errors["surveyId"] = [$"There is no survey '{body.SurveyId}' in this workspace; send null for every survey, or pick one from GET /v1/surveys."];
        else if ((body.HasCategories || body.HasSurveyId) && store.Find(workspaceId, id, 0) is { } stored)
            // The filter after the change: a category must be one of the (new) survey's kind.
            CheckKind(body.HasCategories ? categories : stored.Categories, body.HasSurveyId ? body.SurveyId : stored.SurveyId, surveys, errors);
        var where = CheckWhere(body.Where, errors);
        if (errors.Count == 0 && url is not null && await guard.CheckAsync(url, cancellationToken) is { } refused)
            errors["url"] = [refused];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var actor = Actor.Of(request.HttpContext);
        var row = await writer.ExecuteAsync((c, tx) =>
        {
            var current = WebhookStore.Find(c, tx, workspaceId, id);
            if (current is null)
                return null;
            var before = current.ToResponse(now);
            if (url is not null) current.Url = url.AbsoluteUri;
            if (events is not null) current.Events = JsonSerializer.Serialize(events);
            if (body.HasCategories) current.Categories = categories is null ? null : JsonSerializer.Serialize(categories);
            if (body.HasSurveyId) current.SurveyId = body.SurveyId;
            if (body.HasWhere) current.TraitFilter = where is null ? null : JsonSerializer.Serialize(where);
            if (body.Format is not null) current.Format = body.Format;
            current.UpdatedAt = now;
            WebhookStore.Update(c, tx, current);
            Audit.Write(c, tx, actor, workspaceId, "webhook.updated", id, now, before: before, after: current.ToResponse(now));
            return current;
        });
        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse(now));
    }

    /// <summary>
    /// A trait filter as analytics' <c>where[trait]=value</c> takes it (the same key rule and
    /// number of filters), as a JSON object; null (or empty) for every account.
    /// </summary>
    static Dictionary<string, string>? CheckWhere(IReadOnlyDictionary<string, string>? where, Dictionary<string, string[]> errors)
    {
        if (where is null || where.Count == 0)
            return null;
        if (where.Count > QueryArgs.MaxFilters)
            errors["where"] = [$"At most {QueryArgs.MaxFilters} trait filters."];
        foreach (var (key, value) in where)
        {
            if (QueryArgs.TraitKeyError(key) is { } error)
                errors[$"where.{FreeText.Printable(key)}"] = [error];
            else if (value is null || value.Length > Traits.MaxStringLength)
                errors[$"where.{key}"] = [$"A trait value to match is a string of at most {Traits.MaxStringLength} characters (numbers and booleans as text: \"48000\", \"true\")."];
        }
        return new Dictionary<string, string>(where, StringComparer.Ordinal);
    }

    /// <summary>Distinct known values of a list field, or errors naming each bad element.</summary>
    /// <summary>
    /// A subscription to one survey names categories of that survey's kind only: 'promoter' on a CSAT
    /// survey would never match, so it is refused rather than stored as a filter that stays silent.
    /// Unknown names were already reported by <see cref="Validate"/>.
    /// </summary>
    static void CheckKind(IReadOnlyList<string>? categories, string? surveyId, SurveyStore surveys, Dictionary<string, string[]> errors)
    {
        if (categories is null || surveyId is null || surveys.Kind(surveyId) is not { } name)
            return;
        var kind = QuestionKinds.Of(name);
        for (var i = 0; i < categories.Count; i++)
        {
            if (WebhookEvents.Categories.Contains(categories[i]) && !kind.CategoryNames.Contains(categories[i]))
                errors[$"categories[{i}]"] = [$"'{categories[i]}' is not a category of survey '{surveyId}', a {kind.Name} survey; use one of {string.Join(", ", kind.CategoryNames)}."];
        }
    }

    static List<string> Validate(IReadOnlyList<string>? values, IReadOnlyList<string> known, string field, string what,
        Dictionary<string, string[]> errors, bool required, Func<string, string> unknownHint)
    {
        if (values is null || values.Count == 0)
        {
            if (required)
                errors[field] = [$"Name at least one {what}: {string.Join(", ", known)}."];
            return [];
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (!known.Contains(values[i]))
                errors[$"{field}[{i}]"] = [$"'{values[i]}' is not {("aeiou".Contains(what[0], StringComparison.Ordinal) ? "an" : "a")} {what}; use one of {string.Join(", ", known)}.{unknownHint(values[i] ?? "")}"];
        }
        return values.Distinct().ToList();
    }

    static Ok<WebhookList> List(ClaimsPrincipal user, WebhookStore store, TimeProvider time) =>
        TypedResults.Ok(new WebhookList(store.List(user.WorkspaceId(), time.GetUtcNow().ToUnixTimeMilliseconds())));

    static Results<Ok<WebhookResponse>, ProblemHttpResult> Get(string id, ClaimsPrincipal user, WebhookStore store, TimeProvider time) =>
        store.Find(user.WorkspaceId(), id, time.GetUtcNow().ToUnixTimeMilliseconds()) is { } w ? TypedResults.Ok(w) : NotFound(id);

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var deleted = await writer.ExecuteAsync((c, tx) =>
        {
            var before = WebhookStore.Find(c, tx, workspaceId, id);
            var done = WebhookStore.Delete(c, tx, workspaceId, id);
            if (done)
                Audit.Write(c, tx, Actor.Of(http), workspaceId, "webhook.deleted", id, now, before: before?.ToResponse(now));
            return done;
        });
        return deleted ? TypedResults.NoContent() : NotFound(id);
    }

    static Results<Ok<DeliveryPage>, ProblemHttpResult, ValidationProblem> Deliveries(
        string id, ClaimsPrincipal user, WebhookStore store, [AsParameters] DeliveryQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Status is not (null or "pending" or "delivered" or "failed"))
            errors["status"] = ["Use pending, delivered or failed."];
        var (before, limit) = query.Page(errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: $"Invalid parameter '{errors.First().Key}': {errors.First().Value[0]}");
        return store.Deliveries(user.WorkspaceId(), id, query.Status, before, limit) is { } page ? TypedResults.Ok(page) : NotFound(id);
    }

    /// <summary>The 404 of an unknown (or another workspace's) subscription id.</summary>
    static ProblemHttpResult NotFound(string id) =>
        Problems.NotFound($"There is no webhook '{id}' in this workspace; list your webhooks with GET /v1/webhooks.");

    static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> Retry(
        string id, long deliveryId, ClaimsPrincipal user, WebhookStore store, WriteQueue writer, WebhookSignal signal, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!await writer.ExecuteAsync((c, tx) => WebhookStore.Retry(c, tx, workspaceId, id, deliveryId, now)))
            return NoDelivery(id, deliveryId);
        signal.Notify();
        var delivery = store.FindDelivery(workspaceId, id, deliveryId);
        return delivery is null ? NoDelivery(id, deliveryId) : TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", delivery);
    }

    static ProblemHttpResult NoDelivery(string id, long deliveryId) =>
        Problems.NotFound($"Webhook '{id}' has no delivery {deliveryId} in this workspace; list them with GET /v1/webhooks/{id}/deliveries.");

    static async Task<Results<Accepted<PingQueuedResponse>, ProblemHttpResult>> Test(
        string id, ClaimsPrincipal user, WriteQueue writer, WebhookSignal signal, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow();
        var queued = await writer.ExecuteAsync((c, tx) =>
        {
            if (WebhookStore.Find(c, tx, workspaceId, id) is null)
                return null;
            var eventId = WebhookOutbox.NewEventId();
            var deliveries = WebhookStore.Enqueue(c, tx, workspaceId, eventId, WebhookEvents.Ping, null,
                WebhookEvents.PingPayload(eventId, now, id), [id], now.ToUnixTimeMilliseconds());
            return new PingQueuedResponse(eventId, deliveries[0]);
        });
        if (queued is null)
            return NotFound(id);
        signal.Notify();
        return TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", queued);
    }

    static async Task<Results<Ok<RotatedSecretResponse>, ProblemHttpResult>> RotateSecret(
        string id, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var workspaceId = user.WorkspaceId();
        var now = time.GetUtcNow();
        var expires = now + options.Value.SecretRotationWindow;
        var secret = await writer.ExecuteAsync((c, tx) =>
        {
            var rotated = WebhookStore.RotateSecret(c, tx, workspaceId, id, now.ToUnixTimeMilliseconds(), expires.ToUnixTimeMilliseconds());
            if (rotated is not null)
                Audit.Write(c, tx, Actor.Of(http), workspaceId, "webhook.secret_rotated", id, now.ToUnixTimeMilliseconds());
            return rotated;
        });
        return secret is null ? NotFound(id) : TypedResults.Ok(new RotatedSecretResponse(id, secret, expires));
    }
}

/// <summary>The query of <c>GET /v1/webhooks/{id}/deliveries</c>, bound once and checked by the handler.</summary>
/// <param name="Status">pending, delivered or failed; all when absent.</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Limit">Deliveries per page, 1–200 (default 50).</param>
public sealed record DeliveryQuery(
    [FromQuery(Name = "status")] string? Status,
    [FromQuery(Name = "cursor")] string? Cursor,
    [FromQuery(Name = "limit")] string? Limit)
{
    /// <summary>The page asked for: before which id (the cursor), and how many (default 50); a bad value adds to <paramref name="errors"/>.</summary>
    public (long? Before, int Limit) Page(Dictionary<string, string[]> errors)
    {
        long? before = null;
        if (Cursor is not null)
        {
            if (long.TryParse(Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                before = parsed;
            else
                errors["cursor"] = ["Pass the nextCursor of a previous page back unchanged."];
        }
        var limit = 50;
        if (Limit is not null && !(int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 200))
            errors["limit"] = ["Give a whole number from 1 to 200."];
        return (before, limit);
    }
}
