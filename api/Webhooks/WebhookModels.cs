using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pulse.Api.Storage;

namespace Pulse.Api.Webhooks;

/// <summary><c>POST /v1/webhooks</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWebhookRequest(
    [property: StringLength(WebhookTargets.MaxUrlLength)] string? Url,
    [property: MaxLength(10)] IReadOnlyList<string>? Events,
    [property: MaxLength(8)] IReadOnlyList<string>? Categories,
    [property: StringLength(100)] string? SurveyId,
    [property: StringLength(10)] string? Format,
    IReadOnlyDictionary<string, string>? Where = null);

/// <summary>
/// <c>PATCH /v1/webhooks/{id}</c>: the fields sent change, the others stay. <c>categories</c>,
/// <c>surveyId</c> and <c>where</c> sent as null remove that filter.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateWebhookRequest(
    [property: StringLength(WebhookTargets.MaxUrlLength)] string? Url,
    [property: MaxLength(10)] IReadOnlyList<string>? Events,
    [property: StringLength(10)] string? Format)
{
    readonly IReadOnlyList<string>? _categories;
    readonly string? _surveyId;
    readonly IReadOnlyDictionary<string, string>? _where;

    /// <summary>Only answers of these categories; null for every category.</summary>
    [MaxLength(8)]
    public IReadOnlyList<string>? Categories { get => _categories; init { _categories = value; HasCategories = true; } }

    /// <summary>Only this survey's events; null for every survey.</summary>
    [StringLength(100)]
    public string? SurveyId { get => _surveyId; init { _surveyId = value; HasSurveyId = true; } }

    /// <summary>Only answers whose trait snapshot matches (as analytics' where[trait]=value); null for every account.</summary>
    public IReadOnlyDictionary<string, string>? Where { get => _where; init { _where = value; HasWhere = true; } }

    [JsonIgnore] public bool HasCategories { get; private init; }
    [JsonIgnore] public bool HasSurveyId { get; private init; }
    [JsonIgnore] public bool HasWhere { get; private init; }
}

/// <summary>A subscription. <c>Secret</c> is set only in the answer to a create, and left out of the JSON otherwise.</summary>
public sealed record WebhookResponse(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    IReadOnlyList<string>? Categories,
    string? SurveyId,
    IReadOnlyDictionary<string, string>? Where,
    string Format,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PreviousSecretExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null);

public sealed record WebhookList(IReadOnlyList<WebhookResponse> Items);

/// <summary>The answer to a rotation: the new secret, and until when the old one still signs.</summary>
public sealed record RotatedSecretResponse(string Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);

/// <summary>One delivery of one event to one subscription, as the delivery log shows it.</summary>
public sealed record DeliveryResponse(
    long Id,
    string EventId,
    string EventType,
    string Status,
    int Attempts,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt);

public sealed record DeliveryPage(IReadOnlyList<DeliveryResponse> Items, string? NextCursor);

/// <summary>The answer to <c>POST /v1/webhooks/{id}/test</c>: the ping is queued like any event.</summary>
public sealed record PingQueuedResponse(string EventId, long DeliveryId);

/// <summary>Row shape of <c>webhooks</c>; holds the secret, so it never leaves through the API as is.</summary>
public sealed class WebhookRow
{
    public string Id { get; set; } = "";
    public string WorkspaceId { get; set; } = "";
    public string Url { get; set; } = "";
    public string Events { get; set; } = "[]";
    public string? Categories { get; set; }
    public string? SurveyId { get; set; }
    public string? TraitFilter { get; set; }
    public string Format { get; set; } = "json";
    public string Secret { get; set; } = "";
    public string? PreviousSecret { get; set; }
    public long? PreviousExpiresAt { get; set; }
    public string DashboardBase { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public WebhookFilter ToFilter() => new(ParseList(Events) ?? [], ParseList(Categories), SurveyId, TraitFilter);

    public WebhookResponse ToResponse(long now) => new(Id, Url, ParseList(Events) ?? [], ParseList(Categories), SurveyId,
        TraitFilter is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(TraitFilter), Format,
        Db.FromUnixMs(CreatedAt), Db.FromUnixMs(UpdatedAt), PreviousExpiresAt > now ? Db.FromUnixMs(PreviousExpiresAt.Value) : null);

    public WebhookResponse ToCreated() => ToResponse(CreatedAt) with { Secret = Secret };

    static string[]? ParseList(string? json) => json is null ? null : JsonSerializer.Deserialize<string[]>(json);
}

/// <summary>Row shape of <c>webhook_deliveries</c> joined with its event's type.</summary>
sealed class DeliveryRow
{
    public long Id { get; set; }
    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string Status { get; set; } = "";
    public long Attempts { get; set; }
    public long? LastStatus { get; set; }
    public string? LastError { get; set; }
    public long? LastAttemptAt { get; set; }
    public long? NextAttemptAt { get; set; }
    public long? DeliveredAt { get; set; }
    public long CreatedAt { get; set; }

    public DeliveryResponse ToResponse() => new(Id, EventId, EventType, Status, (int)Attempts, (int?)LastStatus, LastError,
        At(LastAttemptAt), At(NextAttemptAt), At(DeliveredAt), Db.FromUnixMs(CreatedAt));

    static DateTimeOffset? At(long? ms) => ms is null ? null : Db.FromUnixMs(ms.Value);
}

/// <summary>A delivery the dispatcher should attempt now, with everything needed to send it.</summary>
public sealed class DueDelivery
{
    public long Id { get; set; }
    public string WebhookId { get; set; } = "";
    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string Payload { get; set; } = "";
    public long Attempts { get; set; }
    public string Url { get; set; } = "";
    public string Format { get; set; } = "json";
    public string Secret { get; set; } = "";
    public string? PreviousSecret { get; set; }
    public long? PreviousExpiresAt { get; set; }
    public string DashboardBase { get; set; } = "";

    /// <summary>The secrets to sign with at <paramref name="now"/>: the current one, and the old one during rotation.</summary>
    public IReadOnlyList<string> SigningSecrets(long now) =>
        PreviousSecret is not null && PreviousExpiresAt > now ? [Secret, PreviousSecret] : [Secret];
}

/// <summary>What one attempt came to.</summary>
public sealed record AttemptResult(bool Delivered, int? HttpStatus, string? Error);
