using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Links;
using Pulse.Api.Localization;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Email;

/// <summary>One user of <c>POST /v1/surveys/{id}/send</c>: eligibility's user shape plus the user's <c>locale</c>.</summary>
public sealed record SurveySendUser(string? Id, string? Email, DateTimeOffset? CreatedAt, Dictionary<string, JsonElement>? Traits, string? Locale);

/// <summary><c>POST /v1/surveys/{id}/send</c>: the users to send the survey to by email (1 to <see cref="SurveyEmails.MaxUsers"/>).</summary>
public sealed record SurveySendRequest(IReadOnlyList<SurveySendUser?>? Users);

/// <summary>What happened for one user: <c>queued</c>, <c>not_eligible</c> (with the reason code) or <c>no_email</c>.</summary>
public sealed record SurveySendResult(string UserId, string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

/// <summary>The answer of <c>POST /v1/surveys/{id}/send</c>: how many emails were queued, and each user's outcome in the request's order.</summary>
public sealed record SurveySendResponse(string SurveyId, int Queued, IReadOnlyList<SurveySendResult> Users);

/// <summary>The outcomes of a user in <see cref="SurveySendResult"/>.</summary>
public static class SurveySendStatus
{
    public const string Queued = "queued";
    public const string NotEligible = "not_eligible";
    public const string NoEmail = "no_email";

    /// <summary>The reason of <c>not_eligible</c> for a user who unsubscribed from survey emails (besides eligibility's codes).</summary>
    public const string Unsubscribed = LinkService.Unsubscribed;
}

/// <summary>
/// Surveys by email (docs/decisions.md S1–S6). Sending reserves the display (channel <c>email</c>),
/// stores the personal link pointing at it and queues the email, all in one transaction of the
/// writer, so a 2xx means all three are on disk and nobody is surveyed twice: the display counts for
/// every eligibility rule from then on. On demand each user must pass eligibility as a link does;
/// the fallback sends to users who ignored the in-app survey (see <see cref="FallbackCandidates"/>).
/// </summary>
public sealed class SurveyEmails(WriteQueue writer, DisplayHooks displays, EmailOutbox outbox, EmailLinks links, SurveyCache surveys,
    WorkspaceStore workspaces, ReadPool reads, TimeProvider time, IOptions<Links.LinkOptions> linkOptions)
{
    /// <summary>Most users in one send request.</summary>
    public const int MaxUsers = 100;

    // An in-app display of a survey with the fallback on, ignored (no answer, no decline) for the
    // survey's fallback days, in its cycle, of a user with an email who neither opted out nor
    // unsubscribed, and since which the user got no email of the survey and answered or declined
    // none of its displays. Run by the job for every candidate, and again in the writer for one.
    const string SelectFallback = """
        SELECT d.id AS DisplayId, d.workspace_id AS WorkspaceId, d.survey_id AS SurveyId, d.user_id AS UserId, d.locale AS Locale
        FROM surveys s
        JOIN displays d ON d.survey_id = s.id
        JOIN end_users u ON u.workspace_id = d.workspace_id AND u.user_id = d.user_id
        WHERE s.email_fallback_days IS NOT NULL AND s.active = 1
          AND (@DisplayId IS NULL OR d.id = @DisplayId)
          AND d.channel = 'in_app' AND d.answered_at IS NULL AND d.declined_at IS NULL
          AND d.shown_at <= @Now - s.email_fallback_days * 86400000
          AND d.shown_at > @Now - (CASE WHEN s.resurvey_days > 1 THEN s.resurvey_days ELSE 1 END) * 86400000
          AND u.opted_out_at IS NULL AND u.email IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM email_unsubscribes x WHERE x.workspace_id = d.workspace_id AND x.user_id = d.user_id)
          AND NOT EXISTS (SELECT 1 FROM displays o WHERE o.workspace_id = d.workspace_id AND o.user_id = d.user_id AND o.survey_id = d.survey_id
                          AND (o.channel = 'email' AND o.shown_at >= d.shown_at OR o.answered_at >= d.shown_at OR o.declined_at >= d.shown_at))
        ORDER BY d.id
        LIMIT @Limit
        """;

    /// <summary>One ignored in-app display the fallback may follow with an email.</summary>
    public sealed class FallbackCandidate
    {
        public long DisplayId { get; set; }
        public string WorkspaceId { get; set; } = "";
        public string SurveyId { get; set; } = "";
        public string UserId { get; set; } = "";
        public string? Locale { get; set; }
    }

    /// <summary>Sends <paramref name="survey"/> to each validated user who has an email and passes eligibility for it now.</summary>
    public async Task<SurveySendResponse> SendAsync(Workspace workspace, Survey survey, IReadOnlyList<SurveySendUser> users)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var rules = new WorkspaceRules(workspace.Id, workspace.FatigueDays);
        var results = await writer.ExecuteAsync((c, tx) => users.Select(u => SendOne(c, tx, workspace, survey, rules, u, now)).ToList());
        return new SurveySendResponse(survey.Id, results.Count(r => r.Status == SurveySendStatus.Queued), results);
    }

    SurveySendResult SendOne(DbConnection c, DbTransaction tx, Workspace workspace, Survey survey, WorkspaceRules rules, SurveySendUser user, long now)
    {
        // Sending is its own trigger, as a link is: the survey's event (if any) counts as having happened.
        var ask = new EligibilityAsk(user.Id!, user.Email, user.CreatedAt?.ToUnixTimeMilliseconds(), user.Traits, survey.Trigger);
        var history = EligibilityStore.Load(c, tx, workspace.Id, ask.UserId, [survey], survey.Trigger, now);
        var email = user.Email ?? history.Stored?.Email;
        if (email is null)
            return new SurveySendResult(ask.UserId, SurveySendStatus.NoEmail);
        if (EndUserStore.IsUnsubscribedFromEmail(c, tx, workspace.Id, ask.UserId))
            return new SurveySendResult(ask.UserId, SurveySendStatus.NotEligible, SurveySendStatus.Unsubscribed);
        var reason = EligibilityRules.Evaluate(survey, rules, history, ask, now);
        if (reason != Reasons.Eligible)
            return new SurveySendResult(ask.UserId, SurveySendStatus.NotEligible, reason);
        var traits = user.Traits is null ? null : Traits.ToJson(user.Traits);
        EndUserStore.Upsert(c, tx, workspace.Id, new UserSighting(ask.UserId, user.Email, ask.SignedUpAt, traits, now));
        Queue(c, tx, workspace, survey, ask.UserId, email, traits ?? history.Stored?.Traits ?? "{}", user.Locale, now, null);
        return new SurveySendResult(ask.UserId, SurveySendStatus.Queued);
    }

    /// <summary>
    /// Reserves the email display, stores its link and queues the email, in the caller's transaction,
    /// for a user who exists in <c>end_users</c>. The link and its display expire after <c>Links:LinkDays</c>.
    /// The outbox's dedupe key is <paramref name="dedupeKey"/>, else the display's.
    /// </summary>
    void Queue(DbConnection c, DbTransaction tx, Workspace workspace, Survey survey, string userId, string email, string traitsJson,
        string? requestedLocale, long now, string? dedupeKey)
    {
        var lifetime = TimeSpan.FromDays(linkOptions.Value.LinkDays);
        var locale = LocaleNegotiation.Negotiate(requestedLocale, null, EligibilityService.CustomLocales(survey));
        var variant = VariantAssignment.Assign(workspace.Id, survey.Id, userId, survey.Variants);
        var (display, _) = DisplayStore.Create(c, tx, workspace.Id, survey.Id, userId, now, lifetime, email, traitsJson, locale, null, variant, Channels.Email);
        displays.DisplayCreated(c, tx, display.ToWritten());
        var token = LinkStore.Create(c, tx, workspace.Id, survey.Id, userId, Channels.Email, locale, now, display.ExpiresAt, display.Id);
        var page = links.Base + "/s/" + token;
        var localized = EligibilityService.Localize(survey, locale, workspace.ProductName, variant);
        outbox.Queue(c, tx, SurveyEmailTemplate.Render(workspace.Id, localized, workspace.ProductName, email, page, page + "/unsubscribe",
            dedupeKey ?? $"survey:{display.Id}") with { UserId = userId });
    }

    /// <summary>The ignored in-app displays whose fallback email is due now (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<FallbackCandidate> FallbackCandidates(long now, int limit)
    {
        using var reader = reads.Rent();
        return reader.Connection.Query<FallbackCandidate>(SelectFallback, new { DisplayId = (long?)null, Now = now, Limit = limit }).ToList();
    }

    /// <summary>
    /// Sends the fallback emails due now, each in its own transaction after checking its display is
    /// still a candidate there; returns how many were queued. Off when email is not configured.
    /// </summary>
    public async Task<int> RunFallbackAsync(int limit = 500)
    {
        if (!outbox.Configured)
            return 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var queued = 0;
        foreach (var candidate in FallbackCandidates(now, limit))
        {
            if (workspaces.Find(candidate.WorkspaceId) is not { } workspace
                || (await surveys.GetAsync(workspace.Id)).FirstOrDefault(s => s.Id == candidate.SurveyId) is not { EmailFallbackDays: not null } survey)
                continue;
            var sent = await writer.ExecuteAsync((c, tx) =>
            {
                var still = c.QuerySingleOrDefault<FallbackCandidate>(SelectFallback, new { candidate.DisplayId, Now = now, Limit = 1 }, tx);
                var (stored, history) = DisplayStore.UserHistory(c, tx, workspace.Id, candidate.UserId);
                var own = history.GetValueOrDefault(survey.Id) ?? SurveyHistory.None;
                if (still is null || stored?.Email is not { } email
                    || own.LastAnsweredAt is { } answered && EligibilityRules.Within(now, answered, survey.ResurveyDays))
                    return false;
                Queue(c, tx, workspace, survey, candidate.UserId, email, stored.Traits, candidate.Locale, now, $"fallback:{candidate.DisplayId}");
                return true;
            });
            if (sent)
                queued++;
        }
        return queued;
    }

    /// <summary>What unsubscribing through a link token found: the product's name and the link's locale, or null for an unknown token.</summary>
    public async Task<LinkOwner?> UnsubscribeAsync(string token)
    {
        StoredLink? link;
        using (var reader = reads.Rent())
            link = LinkStore.Find(reader.Connection, null, token);
        if (link is null)
            return null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await writer.ExecuteAsync((c, tx) =>
        {
            EndUserStore.UnsubscribeFromEmail(c, tx, link.WorkspaceId, link.UserId, now);
            return EmailStore.WithdrawSurveyEmails(c, tx, link.WorkspaceId, link.UserId);
        });
        return OwnerOf(link);
    }

    /// <summary>The product a link token belongs to and the link's locale (for the unsubscribe page), or null for an unknown token.</summary>
    public LinkOwner? Owner(string token)
    {
        using var reader = reads.Rent();
        return LinkStore.Find(reader.Connection, null, token) is { } link ? OwnerOf(link) : null;
    }

    LinkOwner OwnerOf(StoredLink link) => new(workspaces.Find(link.WorkspaceId)?.ProductName ?? "Pulse", link.Locale);
}

/// <summary>Whose a link token is, as its pages need it: the product's name and the locale the link was made with.</summary>
public sealed record LinkOwner(string Product, string? Locale);

/// <summary>
/// Runs the email fallback every <c>Email:FallbackCheckInterval</c> (real time; what is due is decided
/// by the injected <see cref="TimeProvider"/>). Off when email is not configured.
/// </summary>
public sealed class SurveyEmailFallback(SurveyEmails emails, IOptions<EmailOptions> options, ILogger<SurveyEmailFallback> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Configured)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queued = await emails.RunFallbackAsync();
                if (queued > 0)
                    log.LogInformation("Queued {Count} fallback survey email(s)", queued);
            }
            catch (WriteQueueFullException)
            {
                // Busy or stopping; the next round finds them again.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Email fallback round failed");
            }
            try
            {
                await Task.Delay(options.Value.FallbackCheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
