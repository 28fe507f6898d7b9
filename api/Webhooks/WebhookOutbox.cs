using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Webhooks;

/// <summary>
/// The webhook outbox as a write hook: inside the same transaction as a response or decline it
/// writes the event and one due delivery per matching subscription, so an event exists if and
/// only if the data does. The dispatcher is woken to send them once the transaction commits.
/// </summary>
public sealed class WebhookOutbox(TimeProvider time, WebhookSignal signal) : IResponseHook, IPrivacyHook
{
    public void ResponseSaved(SqliteConnection c, SqliteTransaction tx, ResponseWritten response)
    {
        var d = response.Display;
        var type = response.Created ? WebhookEvents.ResponseCreated : WebhookEvents.ResponseUpdated;
        Enqueue(c, tx, d, type, response.Category,
            (id, at, survey) => WebhookEvents.ResponsePayload(id, at, survey, response));
    }

    public void DeclineSaved(SqliteConnection c, SqliteTransaction tx, DeclineWritten decline) =>
        Enqueue(c, tx, decline.Display, WebhookEvents.DeclineCreated, null,
            (id, at, survey) => WebhookEvents.DeclinePayload(id, at, survey, decline));

    public void UserErased(SqliteConnection c, SqliteTransaction tx, string workspaceId, string userId) =>
        WebhookStore.EraseUser(c, tx, workspaceId, userId);

    void Enqueue(SqliteConnection c, SqliteTransaction tx, DisplayWritten display, string type, string? category,
        Func<string, DateTimeOffset, string?, string> payload)
    {
        var targets = WebhookStore.Subscriptions(c, tx, display.WorkspaceId)
            .Where(s => WebhookEvents.Matches(s.Filter, type, display.SurveyId, category))
            .Select(s => s.Id)
            .ToList();
        if (targets.Count == 0)
            return;
        var now = time.GetUtcNow();
        var eventId = NewEventId();
        var body = payload(eventId, now, SurveyStore.Name(c, tx, display.SurveyId));
        WebhookStore.Enqueue(c, tx, display.WorkspaceId, eventId, type, display.UserId, body, targets, now.ToUnixTimeMilliseconds());
        signal.Notify();
    }

    /// <summary>The event id, sent as <c>webhook-id</c> on every attempt: receivers deduplicate on it.</summary>
    public static string NewEventId() => "evt_" + Keys.RandomString(24);
}
