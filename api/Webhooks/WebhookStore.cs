using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Webhooks;

/// <summary>
/// SQL for subscriptions, the event outbox and the delivery log. Reads open their own
/// connection; writes take the writer's transaction. Every query of the API is scoped by workspace.
/// </summary>
public sealed class WebhookStore(Db db)
{
    const string WebhookColumns = """
        id AS Id, workspace_id AS WorkspaceId, url AS Url, events AS Events, categories AS Categories, survey_id AS SurveyId, trait_filter AS TraitFilter, format AS Format, secret AS Secret, previous_secret AS PreviousSecret, previous_expires_at AS PreviousExpiresAt,
        dashboard_base AS DashboardBase, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    const string SelectWebhooks = $"SELECT {WebhookColumns} FROM webhooks WHERE workspace_id = @WorkspaceId ORDER BY created_at, id";
    const string SelectWebhook = $"SELECT {WebhookColumns} FROM webhooks WHERE workspace_id = @WorkspaceId AND id = @Id";
    const string SelectSubscriptions = """
        SELECT id AS Id, events AS Events, categories AS Categories, survey_id AS SurveyId, trait_filter AS TraitFilter
        FROM webhooks WHERE workspace_id = @WorkspaceId
        """;

    /// <summary>Whether a trait snapshot (<c>@Traits</c>) matches a subscription's filter (<c>@Filters</c>), by analytics' own rule.</summary>
    static readonly string TraitsMatchSql = $"SELECT {Pulse.Api.Analytics.TraitSql.MatchesFilters} FROM (SELECT @Traits AS traits, @Locale AS locale, @Variant AS variant, @Channel AS channel) d";

    // A response.created event none of whose deliveries is due yet or was attempted: it can still change.
    const string SelectHeld = """
        SELECT e.id FROM webhook_events e
        WHERE e.workspace_id = @WorkspaceId AND e.response_id = @ResponseId AND e.type = 'response.created'
          AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id
                          AND (d.status <> 'pending' OR d.attempts > 0 OR d.next_attempt_at <= @Now))
        """;

    const string RewritePayload = "UPDATE webhook_events SET payload = @Payload WHERE id = @EventId";

    const string DropHeldDeliveries = """
        DELETE FROM webhook_deliveries WHERE event_id = @EventId AND webhook_id NOT IN (SELECT value FROM json_each(@Targets))
        """;

    const string AddHeldDeliveries = """
        INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_at, created_at)
        SELECT value, @EventId, 'pending', 0, @Due, @Now FROM json_each(@Targets)
        WHERE value NOT IN (SELECT webhook_id FROM webhook_deliveries WHERE event_id = @EventId)
        """;

    const string RescheduleHeld = "UPDATE webhook_deliveries SET next_attempt_at = @Due WHERE event_id = @EventId";

    const string InsertWebhook = """
        INSERT INTO webhooks (id, workspace_id, url, events, categories, survey_id, trait_filter, format, secret, dashboard_base, created_at, updated_at)
        VALUES (@Id, @WorkspaceId, @Url, @Events, @Categories, @SurveyId, @TraitFilter, @Format, @Secret, @DashboardBase, @CreatedAt, @UpdatedAt)
        """;

    const string UpdateWebhook = """
        UPDATE webhooks SET url = @Url, events = @Events, categories = @Categories, survey_id = @SurveyId, trait_filter = @TraitFilter,
            format = @Format, updated_at = @UpdatedAt
        WHERE workspace_id = @WorkspaceId AND id = @Id
        """;

    const string CountWebhooks = "SELECT COUNT(*) FROM webhooks WHERE workspace_id = @WorkspaceId";

    const string DeleteWebhook = "DELETE FROM webhooks WHERE workspace_id = @WorkspaceId AND id = @Id";

    const string DeleteOrphanEvents = """
        DELETE FROM webhook_events
        WHERE (@WorkspaceId IS NULL OR workspace_id = @WorkspaceId)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)
        """;

    const string Rotate = """
        UPDATE webhooks SET previous_secret = secret, previous_expires_at = @ExpiresAt, secret = @Secret, updated_at = @Now
        WHERE workspace_id = @WorkspaceId AND id = @Id
        """;

    const string InsertEvent = """
        INSERT INTO webhook_events (id, workspace_id, type, user_id, response_id, payload, created_at)
        VALUES (@Id, @WorkspaceId, @Type, @UserId, @ResponseId, @Payload, @CreatedAt)
        """;

    const string InsertDelivery = """
        INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_at, created_at)
        VALUES (@WebhookId, @EventId, 'pending', 0, @Due, @Now)
        RETURNING id
        """;

    const string DeliveryColumns = """
        d.id AS Id, d.event_id AS EventId, e.type AS EventType, d.status AS Status, d.attempts AS Attempts, d.last_status AS LastStatus, d.last_error AS LastError, d.last_attempt_at AS LastAttemptAt,
        d.next_attempt_at AS NextAttemptAt, d.delivered_at AS DeliveredAt, d.created_at AS CreatedAt
        """;

    const string SelectDeliveries = $"""
        SELECT {DeliveryColumns}
        FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE d.webhook_id = @WebhookId AND d.id < @Before AND (@Status IS NULL OR d.status = @Status)
        ORDER BY d.id DESC LIMIT @Limit
        """;

    const string SelectDelivery = $"""
        SELECT {DeliveryColumns}
        FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
        WHERE w.workspace_id = @WorkspaceId AND d.webhook_id = @WebhookId AND d.id = @Id
        """;

    // Oldest due first, at most @PerEndpoint per subscription, so one endpoint's backlog cannot fill a round.
    const string SelectDue = """
        SELECT d.id AS Id, d.webhook_id AS WebhookId, d.event_id AS EventId, e.type AS EventType, e.payload AS Payload, d.attempts AS Attempts, w.url AS Url, w.format AS Format, w.secret AS Secret,
               w.previous_secret AS PreviousSecret, w.previous_expires_at AS PreviousExpiresAt, w.dashboard_base AS DashboardBase
        FROM (
            SELECT id, webhook_id, event_id, attempts, next_attempt_at,
                   ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS rank
            FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= @Now AND id NOT IN @Exclude AND (lease_until IS NULL OR lease_until <= @Now)
        ) d
        JOIN webhook_events e ON e.id = d.event_id
        JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.rank <= @PerEndpoint
        ORDER BY d.next_attempt_at, d.id
        LIMIT @Limit
        """;

    // PostgreSQL: the due rows this instance takes, each still pending, due and without a live lease once locked;
    // rows another instance is claiming at the same moment are skipped (theirs), not waited for (I1).
    const string ClaimDue = """
        UPDATE webhook_deliveries SET lease_owner = @Owner, lease_until = @Until
        WHERE id IN (
            SELECT id FROM webhook_deliveries
            WHERE id = ANY(@Ids) AND status = 'pending' AND next_attempt_at <= @Now AND (lease_until IS NULL OR lease_until <= @Now)
            FOR UPDATE SKIP LOCKED)
        RETURNING id
        """;

    // Only the lease holder records (no lease on SQLite): an attempt whose lease another instance took over is not counted twice.
    const string SelectAttempts = "SELECT attempts FROM webhook_deliveries WHERE id = @Id AND (lease_owner = @Owner OR (lease_owner IS NULL AND @Owner IS NULL))";

    const string UpdateAttempt = """
        UPDATE webhook_deliveries
        SET attempts = @Attempts, status = @Status, next_attempt_at = @NextAttemptAt, last_attempt_at = @Now,
            last_status = @HttpStatus, last_error = @Error, lease_owner = NULL, lease_until = NULL,
            delivered_at = CASE WHEN @Status = 'delivered' THEN @Now ELSE delivered_at END
        WHERE id = @Id
        """;

    const string RetryDelivery = """
        UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @Now
        WHERE id = @Id AND webhook_id IN (SELECT id FROM webhooks WHERE workspace_id = @WorkspaceId AND id = @WebhookId)
        """;

    const string EraseUserEvents = "DELETE FROM webhook_events WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    const string PruneDeliveries = """
        DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < @Before
        """;

    public IReadOnlyList<WebhookResponse> List(string workspaceId, long now)
    {
        using var c = db.Open();
        return c.Query<WebhookRow>(SelectWebhooks, new { WorkspaceId = workspaceId }).Select(r => r.ToResponse(now)).ToList();
    }

    public WebhookResponse? Find(string workspaceId, string id, long now)
    {
        using var c = db.Open();
        return c.QuerySingleOrDefault<WebhookRow>(SelectWebhook, new { WorkspaceId = workspaceId, Id = id })?.ToResponse(now);
    }

    /// <summary>A page of a subscription's delivery log, newest first; null when the subscription is not the workspace's.</summary>
    public DeliveryPage? Deliveries(string workspaceId, string webhookId, string? status, long? before, int limit)
    {
        using var c = db.Open();
        if (c.QuerySingleOrDefault<WebhookRow>(SelectWebhook, new { WorkspaceId = workspaceId, Id = webhookId }) is null)
            return null;
        var rows = c.Query<DeliveryRow>(SelectDeliveries,
            new { WebhookId = webhookId, Status = status, Before = before ?? long.MaxValue, Limit = limit + 1 }).ToList();
        var next = rows.Count > limit ? rows[limit - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new DeliveryPage(rows.Take(limit).Select(r => r.ToResponse()).ToList(), next);
    }

    public DeliveryResponse? FindDelivery(string workspaceId, string webhookId, long id)
    {
        using var c = db.Open();
        return c.QuerySingleOrDefault<DeliveryRow>(SelectDelivery, new { WorkspaceId = workspaceId, WebhookId = webhookId, Id = id })?.ToResponse();
    }

    /// <summary>Deliveries due at <paramref name="now"/>, skipping <paramref name="exclude"/> (already in flight).</summary>
    public IReadOnlyList<DueDelivery> Due(long now, IEnumerable<long> exclude, int perEndpoint, int limit)
    {
        using var c = db.Open();
        return c.Query<DueDelivery>(c.Sql(SelectDue), new { Now = now, Exclude = exclude.ToArray(), PerEndpoint = perEndpoint, Limit = limit }).ToList();
    }

    /// <summary>
    /// PostgreSQL: leases the deliveries of <paramref name="ids"/> that are still due and free to <paramref name="owner"/>
    /// until <paramref name="until"/>; returns the ones this instance now holds (the others are another instance's).
    /// </summary>
    public static IReadOnlySet<long> Claim(DbConnection c, DbTransaction tx, IReadOnlyList<long> ids, long now, long until, string owner) =>
        c.Query<long>(ClaimDue, new { Ids = ids.ToArray(), Now = now, Until = until, Owner = owner }, tx).ToHashSet();

    /// <summary>The workspace's subscriptions, counted inside the writer's transaction.</summary>
    public static long Count(DbConnection c, DbTransaction tx, string workspaceId) =>
        c.ExecuteScalar<long>(CountWebhooks, new { WorkspaceId = workspaceId }, tx);

    public static WebhookRow Insert(DbConnection c, DbTransaction tx, string workspaceId, Uri url, IReadOnlyList<string> events,
        IReadOnlyList<string>? categories, string? surveyId, IReadOnlyDictionary<string, string>? where, string format, string dashboardBase, long now)
    {
        var row = new WebhookRow
        {
            Id = Keys.NewId("wh"),
            WorkspaceId = workspaceId,
            Url = url.AbsoluteUri,
            Events = JsonSerializer.Serialize(events),
            Categories = categories is null ? null : JsonSerializer.Serialize(categories),
            SurveyId = surveyId,
            TraitFilter = where is null ? null : JsonSerializer.Serialize(where),
            Format = format,
            Secret = WebhookSignature.NewSecret(),
            DashboardBase = dashboardBase,
            CreatedAt = now,
            UpdatedAt = now,
        };
        c.Execute(InsertWebhook, row, tx);
        return row;
    }

    /// <summary>Writes a subscription's changed url, events, filters and format (the secret stays).</summary>
    public static void Update(DbConnection c, DbTransaction tx, WebhookRow row) => c.Execute(UpdateWebhook, row, tx);

    /// <summary>Deletes a subscription with its pending and past deliveries; false when it is not the workspace's.</summary>
    public static bool Delete(DbConnection c, DbTransaction tx, string workspaceId, string id)
    {
        if (c.Execute(DeleteWebhook, new { WorkspaceId = workspaceId, Id = id }, tx) == 0)
            return false;
        c.Execute(DeleteOrphanEvents, new { WorkspaceId = workspaceId }, tx);
        return true;
    }

    /// <summary>Issues a new secret; the current one keeps signing until <paramref name="previousExpiresAt"/>.</summary>
    public static string? RotateSecret(DbConnection c, DbTransaction tx, string workspaceId, string id, long now, long previousExpiresAt)
    {
        var secret = WebhookSignature.NewSecret();
        var changed = c.Execute(Rotate, new { WorkspaceId = workspaceId, Id = id, Secret = secret, ExpiresAt = previousExpiresAt, Now = now }, tx);
        return changed == 1 ? secret : null;
    }

    public static WebhookRow? Find(DbConnection c, DbTransaction tx, string workspaceId, string id) =>
        c.QuerySingleOrDefault<WebhookRow>(SelectWebhook, new { WorkspaceId = workspaceId, Id = id }, tx);

    /// <summary>The subscriptions of a workspace, with their filters.</summary>
    const string AnySubscription = "SELECT EXISTS (SELECT 1 FROM webhooks WHERE workspace_id = @WorkspaceId)";

    /// <summary>
    /// The workspace's subscriptions. Runs for every answer inside the writer, and most workspaces
    /// have none, so a prepared existence check comes first.
    /// </summary>
    public static IReadOnlyList<(string Id, WebhookFilter Filter)> Subscriptions(DbConnection c, DbTransaction tx, string workspaceId) =>
        // EXISTS is an integer on SQLite and a boolean on PostgreSQL; Convert reads both.
        Convert.ToInt64(c.Prepared(tx, AnySubscription).Bind("@WorkspaceId", workspaceId).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0
            ? []
            : c.Query<WebhookRow>(SelectSubscriptions, new { WorkspaceId = workspaceId }, tx).Select(r => (r.Id, r.ToFilter())).ToList();

    /// <summary>
    /// Writes one event and a delivery per subscription, due at <paramref name="due"/> (now unless
    /// held for <see cref="WebhookOptions.MergeWindow"/>); returns the delivery ids.
    /// <paramref name="responseId"/> marks a <c>response.created</c> event that may still fold an edit in.
    /// </summary>
    public static IReadOnlyList<long> Enqueue(DbConnection c, DbTransaction tx, string workspaceId, string eventId, string type,
        string? userId, string payload, IEnumerable<string> webhookIds, long now, long? due = null, long? responseId = null)
    {
        c.Execute(InsertEvent, new { Id = eventId, WorkspaceId = workspaceId, Type = type, UserId = userId, ResponseId = responseId, Payload = payload, CreatedAt = now }, tx);
        return webhookIds.Select(w => c.ExecuteScalar<long>(InsertDelivery, new { WebhookId = w, EventId = eventId, Due = due ?? now, Now = now }, tx)).ToList();
    }

    /// <summary>
    /// Whether a display's trait snapshot (with its locale, variant and channel, which the analytics filter
    /// reads as the display's own fields) matches a subscription's trait filter (JSON object), as analytics' <c>where</c> would.
    /// </summary>
    public static bool TraitsMatch(DbConnection c, DbTransaction tx, string traitsJson, string? locale, string? variant, string filterJson,
        string channel = Displays.Channels.InApp) =>
        Convert.ToInt64(c.Prepared(tx, TraitsMatchSql).Bind("@Traits", traitsJson).Bind("@Locale", locale).Bind("@Variant", variant)
            .Bind("@Channel", channel)
            .Bind("@Filters", filterJson).ExecuteScalar(),
            System.Globalization.CultureInfo.InvariantCulture) == 1;

    /// <summary>The <c>response.created</c> event of a response that is still held (nothing of it due or sent), or null.</summary>
    public static string? HeldEvent(DbConnection c, DbTransaction tx, string workspaceId, long responseId, long now) =>
        c.QuerySingleOrDefault<string>(SelectHeld, new { WorkspaceId = workspaceId, ResponseId = responseId, Now = now }, tx);

    /// <summary>
    /// Folds an edit into a held event: the new body, deliveries to exactly <paramref name="webhookIds"/>
    /// (the subscriptions that want it now), all due at <paramref name="due"/>.
    /// </summary>
    public static void Refold(DbConnection c, DbTransaction tx, string workspaceId, string eventId, string payload,
        IReadOnlyList<string> webhookIds, long due, long now)
    {
        var targets = JsonSerializer.Serialize(webhookIds);
        c.Execute(RewritePayload, new { EventId = eventId, Payload = payload }, tx);
        c.Execute(DropHeldDeliveries, new { EventId = eventId, Targets = targets }, tx);
        c.Execute(AddHeldDeliveries, new { EventId = eventId, Targets = targets, Due = due, Now = now }, tx);
        c.Execute(RescheduleHeld, new { EventId = eventId, Due = due }, tx);
        if (webhookIds.Count == 0)
            c.Execute(DeleteOrphanEvents, new { WorkspaceId = workspaceId }, tx);
    }

    /// <summary>
    /// Records one attempt: delivered, failed for good (the last attempt), or pending again after
    /// <paramref name="retryDelay"/>(attempts so far), and releases the lease. Null when the delivery is gone (subscription
    /// deleted, user erased) or its lease is another instance's now.
    /// </summary>
    /// <param name="owner">The lease this attempt ran under (PostgreSQL); null on SQLite, which takes none.</param>
    public static (string Status, int Attempts)? RecordAttempt(DbConnection c, DbTransaction tx, long id, AttemptResult result,
        long now, int maxAttempts, Func<int, TimeSpan> retryDelay, string? owner = null)
    {
        var before = c.ExecuteScalar<long?>(SelectAttempts, new { Id = id, Owner = owner }, tx);
        if (before is null)
            return null;
        var attempts = (int)before.Value + 1;
        var status = result.Delivered ? "delivered" : attempts >= maxAttempts ? "failed" : "pending";
        long? next = status == "pending" ? now + (long)retryDelay(attempts).TotalMilliseconds : null;
        c.Execute(UpdateAttempt, new
        {
            Id = id,
            Attempts = attempts,
            Status = status,
            NextAttemptAt = next,
            Now = now,
            result.HttpStatus,
            Error = result.Error is { Length: > 500 } e ? e[..500] : result.Error,
        }, tx);
        return (status, attempts);
    }

    /// <summary>Makes a delivery due now, whatever its state; false when it is not the workspace's.</summary>
    public static bool Retry(DbConnection c, DbTransaction tx, string workspaceId, string webhookId, long id, long now) =>
        c.Execute(RetryDelivery, new { WorkspaceId = workspaceId, WebhookId = webhookId, Id = id, Now = now }, tx) == 1;

    /// <summary>Removes every event (and so every delivery) that carries the user's data.</summary>
    public static void EraseUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(EraseUserEvents, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    /// <summary>Deletes finished deliveries created before <paramref name="before"/> and the events no delivery needs.</summary>
    public static int Prune(DbConnection c, DbTransaction tx, long before)
    {
        var deleted = c.Execute(PruneDeliveries, new { Before = before }, tx);
        if (deleted > 0)
            c.Execute(DeleteOrphanEvents, new { WorkspaceId = (string?)null }, tx);
        return deleted;
    }
}
