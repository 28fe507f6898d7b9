using System.Text.Json;
using Pulse.Api.FollowUps;
using Pulse.Api.Operations;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Webhooks;

/// <summary>Event types, subscription filters and the JSON payloads of webhook events. Pure.</summary>
public static class WebhookEvents
{
    public const string ResponseCreated = "response.created";
    public const string ResponseUpdated = "response.updated";
    public const string DeclineCreated = "decline.created";
    public const string FollowUpAssigned = "follow_up.assigned";
    public const string FollowUpClosed = "follow_up.closed";
    public const string FollowUpOverdue = "follow_up.overdue";
    /// <summary>Sent only by <c>POST /v1/webhooks/{id}/test</c>; not subscribable.</summary>
    public const string Ping = "ping";

    /// <summary>The types a subscription may name in <c>events</c>.</summary>
    public static readonly IReadOnlyList<string> Subscribable =
        [ResponseCreated, ResponseUpdated, DeclineCreated, FollowUpAssigned, FollowUpClosed, FollowUpOverdue];

    public static readonly IReadOnlyList<string> Categories = QuestionKinds.AllCategories;

    internal static readonly JsonSerializerOptions Json = OperationsExtensions.Configure(new JsonSerializerOptions());

    /// <summary>
    /// Whether a subscription wants an event, but for its trait filter (checked against the
    /// snapshot in SQL, <see cref="WebhookStore.TraitsMatch"/>). The category filter applies to
    /// response and follow-up events (by the response's current category); declines have no score and pass it.
    /// </summary>
    public static bool Matches(WebhookFilter filter, string type, string surveyId, string? category) =>
        filter.Events.Contains(type)
        && (filter.SurveyId is null || filter.SurveyId == surveyId)
        && (category is null || filter.Categories is null || filter.Categories.Contains(category));

    /// <summary>The body of a <c>response.created</c> / <c>response.updated</c> event.</summary>
    public static string ResponsePayload(string eventId, DateTimeOffset at, string? surveyName, ResponseWritten r, string kind = QuestionKinds.NpsName)
    {
        var d = r.Display;
        var data = new ResponseEventData(
            new SurveyRef(d.SurveyId, surveyName, kind),
            new ResponsePayload(r.ResponseId, r.Score, r.Category, r.Comment, ParseOrNull(r.FollowUpJson), d.UserId, d.Email,
                ParseOrNull(d.TraitsJson) ?? EmptyObject(), d.Url, d.Locale, Db.FromUnixMs(d.ShownAt), Db.FromUnixMs(r.CreatedAt),
                Db.FromUnixMs(r.UpdatedAt), r.PreviousScore, r.PreviousCategory) { Reasons = r.Reasons.Ids, ReasonOther = r.Reasons.Other });
        return Serialize(eventId, r.Created ? ResponseCreated : ResponseUpdated, at, data);
    }

    /// <summary>The body of a <c>follow_up.*</c> event: the follow-up, and the answer it is about.</summary>
    public static string FollowUpPayload(string eventId, string type, DateTimeOffset at, string? surveyName, FollowUpRow f, string kind = QuestionKinds.NpsName)
    {
        var data = new FollowUpEventData(
            new SurveyRef(f.SurveyId, surveyName, kind),
            new FollowUpEventFollowUp(f.Id, f.Status, f.Outcome,
                f.AssigneeId is null ? null : new FollowUpMember(f.AssigneeId, f.AssigneeEmail ?? "", f.AssigneeName),
                f.DueAt is { } due ? Db.FromUnixMs(due) : null, Db.FromUnixMs(f.CreatedAt), f.ClosedAt is { } closed ? Db.FromUnixMs(closed) : null),
            new FollowUpEventResponse(f.ResponseId, (int)f.Score, f.Category, f.Comment, f.UserId, f.Email,
                ParseOrNull(f.Traits) ?? EmptyObject(), Db.FromUnixMs(f.AnsweredAt)));
        return Serialize(eventId, type, at, data);
    }

    /// <summary>The body of a <c>decline.created</c> event.</summary>
    public static string DeclinePayload(string eventId, DateTimeOffset at, string? surveyName, DeclineWritten decline, string kind = QuestionKinds.NpsName)
    {
        var d = decline.Display;
        var data = new DeclineEventData(
            new SurveyRef(d.SurveyId, surveyName, kind),
            new DeclinePayload(d.DisplayId, d.UserId, d.Email, ParseOrNull(d.TraitsJson) ?? EmptyObject(), d.Url, d.Locale,
                Db.FromUnixMs(d.ShownAt), Db.FromUnixMs(decline.DeclinedAt)));
        return Serialize(eventId, DeclineCreated, at, data);
    }

    /// <summary>The body of a <c>ping</c>.</summary>
    public static string PingPayload(string eventId, DateTimeOffset at, string webhookId) =>
        Serialize(eventId, Ping, at, new PingEventData(webhookId, "Pulse webhook test: this endpoint receives Pulse events."));

    static string Serialize(string id, string type, DateTimeOffset at, object data) =>
        JsonSerializer.Serialize(new WebhookEventBody(id, type, at, data), Json);

    static JsonElement? ParseOrNull(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    static JsonElement EmptyObject() => JsonDocument.Parse("{}").RootElement.Clone();
}

/// <summary>What a subscription asks for.</summary>
public sealed record WebhookFilter(IReadOnlyCollection<string> Events, IReadOnlyCollection<string>? Categories, string? SurveyId,
    string? TraitFilterJson = null);

/// <summary>The envelope every event shares (the Standard Webhooks payload shape plus the id).</summary>
public sealed record WebhookEventBody(string Id, string Type, DateTimeOffset Timestamp, object Data);

/// <summary>The survey an event is about: its id, name and question kind (the scale and categories of the answer's score).</summary>
public sealed record SurveyRef(string Id, string? Name, string Kind);

public sealed record ResponseEventData(SurveyRef Survey, ResponsePayload Response);

/// <summary>A response as sent: the answer, who gave it and the trait snapshot taken when the survey was shown.</summary>
public sealed record ResponsePayload(
    long Id,
    int Score,
    string Category,
    string? Comment,
    JsonElement? FollowUp,
    string UserId,
    string? Email,
    JsonElement Traits,
    string? Url,
    string? Locale,
    DateTimeOffset ShownAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? PreviousScore,
    string? PreviousCategory)
{
    /// <summary>The reason ids chosen in the reasons question (<c>other</c> for "Other"); empty when not answered.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The text of "Other", or null.</summary>
    public string? ReasonOther { get; init; }
}

public sealed record DeclineEventData(SurveyRef Survey, DeclinePayload Decline);

public sealed record DeclinePayload(
    long DisplayId,
    string UserId,
    string? Email,
    JsonElement Traits,
    string? Url,
    string? Locale,
    DateTimeOffset ShownAt,
    DateTimeOffset DeclinedAt);

public sealed record PingEventData(string WebhookId, string Message);

public sealed record FollowUpEventData(SurveyRef Survey, FollowUpEventFollowUp FollowUp, FollowUpEventResponse Response);

/// <summary>A follow-up as sent in <c>follow_up.*</c> events.</summary>
public sealed record FollowUpEventFollowUp(
    string Id,
    string Status,
    string? Outcome,
    FollowUpMember? Assignee,
    DateTimeOffset? DueAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt);

/// <summary>The answer a follow-up is about, with the trait snapshot of its display.</summary>
public sealed record FollowUpEventResponse(
    long Id,
    int Score,
    string Category,
    string? Comment,
    string UserId,
    string? Email,
    JsonElement Traits,
    DateTimeOffset CreatedAt);
