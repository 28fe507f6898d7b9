using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Pulse.Api.Displays;
using Pulse.Api.FollowUps;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Webhooks;

/// <summary>
/// The webhook outbox as a write hook: inside the same transaction as a response, decline or
/// follow-up change it writes the event and one delivery per matching subscription (events,
/// categories, survey and trait filter), so an event exists if and only if the data does. The
/// dispatcher is woken to send them once the transaction commits.
/// One alert per answer: a new answer without a comment is held for <see cref="WebhookOptions.MergeWindow"/>
/// (its deliveries are due at the window's end); an edit within the window rewrites that one
/// <c>response.created</c> event and, when it brings the comment, makes it due at once. Everything
/// is in the database, so a restart neither loses nor repeats a held alert.
/// </summary>
public sealed class WebhookOutbox(TimeProvider time, WebhookSignal signal, IOptions<WebhookOptions> options) : IResponseHook, IPrivacyHook, IFollowUpHook
{
    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        var d = response.Display;
        var now = time.GetUtcNow();
        var window = (long)options.Value.MergeWindow.TotalMilliseconds;
        var hasComment = !string.IsNullOrWhiteSpace(response.Comment);
        if (response.Created)
        {
            var due = window > 0 && !hasComment ? now.ToUnixTimeMilliseconds() + window : (long?)null;
            Enqueue(c, tx, d, WebhookEvents.ResponseCreated, Targets(c, tx, d, WebhookEvents.ResponseCreated, response.Category),
                (id, at, survey) => WebhookEvents.ResponsePayload(id, at, survey.Name, response, survey.Kind), due, response.ResponseId);
            return;
        }
        IReadOnlyList<string> folded = [];
        if (window > 0 && now.ToUnixTimeMilliseconds() < response.CreatedAt + window
            && WebhookStore.HeldEvent(c, tx, d.WorkspaceId, response.ResponseId, now.ToUnixTimeMilliseconds()) is { } held)
        {
            // The answer as if it had come in one piece: still the one response.created, now with the comment.
            var whole = response with { Created = true, PreviousScore = null, PreviousCategory = null };
            folded = Targets(c, tx, d, WebhookEvents.ResponseCreated, response.Category);
            var due = hasComment ? now.ToUnixTimeMilliseconds() : response.CreatedAt + window;
            WebhookStore.Refold(c, tx, d.WorkspaceId, held, WebhookEvents.ResponsePayload(held, now, SurveyStore.Name(c, tx, d.SurveyId), whole, SurveyStore.Kind(c, tx, d.SurveyId)),
                folded, due, now.ToUnixTimeMilliseconds());
            signal.Notify();
        }
        // Subscriptions that took the edit in the folded event get no response.updated for it.
        var updated = Targets(c, tx, d, WebhookEvents.ResponseUpdated, response.Category).Except(folded).ToList();
        Enqueue(c, tx, d, WebhookEvents.ResponseUpdated, updated,
            (id, at, survey) => WebhookEvents.ResponsePayload(id, at, survey.Name, response, survey.Kind));
    }

    public void DeclineSaved(DbConnection c, DbTransaction tx, DeclineWritten decline) =>
        Enqueue(c, tx, decline.Display, WebhookEvents.DeclineCreated, Targets(c, tx, decline.Display, WebhookEvents.DeclineCreated, null),
            (id, at, survey) => WebhookEvents.DeclinePayload(id, at, survey.Name, decline, survey.Kind));

    public void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        WebhookStore.EraseUser(c, tx, workspaceId, userId);

    public void FollowUpAssigned(DbConnection c, DbTransaction tx, FollowUpWritten followUp) =>
        EnqueueFollowUp(c, tx, WebhookEvents.FollowUpAssigned, followUp);

    public void FollowUpClosed(DbConnection c, DbTransaction tx, FollowUpWritten followUp) =>
        EnqueueFollowUp(c, tx, WebhookEvents.FollowUpClosed, followUp);

    public void FollowUpOverdue(DbConnection c, DbTransaction tx, FollowUpWritten followUp) =>
        EnqueueFollowUp(c, tx, WebhookEvents.FollowUpOverdue, followUp);

    void EnqueueFollowUp(DbConnection c, DbTransaction tx, string type, FollowUpWritten e)
    {
        var f = e.FollowUp;
        var targets = Targets(c, tx, e.WorkspaceId, type, f.SurveyId, f.Category, f.Traits);
        if (targets.Count == 0)
            return;
        var now = time.GetUtcNow();
        var eventId = NewEventId();
        var body = WebhookEvents.FollowUpPayload(eventId, type, now, SurveyStore.Name(c, tx, f.SurveyId), f, SurveyStore.Kind(c, tx, f.SurveyId));
        WebhookStore.Enqueue(c, tx, e.WorkspaceId, eventId, type, f.UserId, body, targets, now.ToUnixTimeMilliseconds());
        signal.Notify();
    }

    static IReadOnlyList<string> Targets(DbConnection c, DbTransaction tx, DisplayWritten display, string type, string? category) =>
        Targets(c, tx, display.WorkspaceId, type, display.SurveyId, category, display.TraitsJson, display.Locale, display.Variant, display.Channel);

    /// <summary>The subscriptions of a workspace that want this event about an answer with this snapshot.</summary>
    static IReadOnlyList<string> Targets(DbConnection c, DbTransaction tx, string workspaceId, string type, string surveyId,
        string? category, string traitsJson, string? locale = null, string? variant = null, string channel = Displays.Channels.InApp) =>
        WebhookStore.Subscriptions(c, tx, workspaceId)
            .Where(s => WebhookEvents.Matches(s.Filter, type, surveyId, category)
                && (s.Filter.TraitFilterJson is not { } where || WebhookStore.TraitsMatch(c, tx, traitsJson, locale, variant, where, channel)))
            .Select(s => s.Id)
            .ToList();

    void Enqueue(DbConnection c, DbTransaction tx, DisplayWritten display, string type, IReadOnlyList<string> targets,
        Func<string, DateTimeOffset, (string? Name, string Kind), string> payload, long? due = null, long? responseId = null)
    {
        if (targets.Count == 0)
            return;
        var now = time.GetUtcNow();
        var eventId = NewEventId();
        var body = payload(eventId, now, (SurveyStore.Name(c, tx, display.SurveyId), SurveyStore.Kind(c, tx, display.SurveyId)));
        WebhookStore.Enqueue(c, tx, display.WorkspaceId, eventId, type, display.UserId, body, targets, now.ToUnixTimeMilliseconds(), due, responseId);
        signal.Notify();
    }

    /// <summary>The event id, sent as <c>webhook-id</c> on every attempt: receivers deduplicate on it.</summary>
    public static string NewEventId() => "evt_" + Keys.RandomString(24);
}
