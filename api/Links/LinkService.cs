using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Links;

/// <summary>
/// Why a link shows no survey: unknown (404), or gone (410) because it expired, was answered or the user may no longer be asked;
/// or the user opted out ("Don't ask me again"), which the page confirms.
/// </summary>
public enum LinkState
{
    Open,
    Unknown,
    Expired,
    Answered,
    Unavailable,
    OptedOut,
}

/// <summary>A created link: its token (shown once), survey and expiry; or the eligibility reason that refused it.</summary>
public sealed record LinkCreated(string? Token, string? SurveyId, long ExpiresAt, string Reason);

/// <summary>What opening or answering a link found: the display it shows (once <see cref="LinkState.Open"/>) and the survey.</summary>
public sealed record LinkOpened(LinkState State, StoredLink? Link = null, Display? Display = null, Survey? Survey = null);

/// <summary>
/// Personal survey links (docs/decisions.md C2–C4). Creating a link runs the eligibility rules for
/// the user (the link is its own trigger) and stores only a hash of the token. The first opening
/// records a display with the link's channel; opening again shows the same display. Every opening
/// and answer re-checks, in the writer's transaction, that the survey is active, the user has not
/// opted out and has not answered the survey in this cycle elsewhere: nobody is surveyed twice in a cycle.
/// </summary>
public sealed class LinkService(ReadPool reads, WriteQueue writer, DisplayHooks displays, ResponseHooks responses, SurveyCache surveys,
    TimeProvider time, IOptions<LinkOptions> options)
{
    /// <summary>Why an <c>email</c> link is refused to a user who unsubscribed from survey emails (not an eligibility code: in-app is unaffected).</summary>
    public const string Unsubscribed = "unsubscribed";

    /// <summary>Runs eligibility for <paramref name="request"/>'s user and stores a link to the first eligible survey.</summary>
    public async Task<LinkCreated?> CreateAsync(Workspace workspace, SurveyLinkRequest request)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var all = await surveys.GetAsync(workspace.Id);
        var candidates = request.SurveyId is null ? all : all.Where(s => s.Id == request.SurveyId).ToList();
        if (candidates.Count == 0 && request.SurveyId is not null)
            return null;
        var user = request.User!;
        var ask = new EligibilityAsk(user.Id!, user.Email, user.CreatedAt?.ToUnixTimeMilliseconds(), user.Traits);
        var sighting = new UserSighting(ask.UserId, ask.Email, ask.SignedUpAt, user.Traits is null ? null : Traits.ToJson(user.Traits), now);
        var rules = new WorkspaceRules(workspace.Id, workspace.FatigueDays);
        var expiresAt = now + (long)TimeSpan.FromDays(options.Value.LinkDays).TotalMilliseconds;
        var channel = request.Channel ?? Channels.Link;
        return await writer.ExecuteAsync((c, tx) =>
        {
            if (channel == Channels.Email && EndUserStore.IsUnsubscribedFromEmail(c, tx, workspace.Id, ask.UserId))
                return new LinkCreated(null, null, 0, Unsubscribed);
            string? reason = null;
            foreach (var survey in EligibilityRules.Ordered(candidates))
            {
                // A link is its own trigger: the survey's event (if any) counts as having happened.
                var history = EligibilityStore.Load(c, tx, workspace.Id, ask.UserId, [survey], survey.Trigger, now);
                var r = EligibilityRules.Evaluate(survey, rules, history, ask with { Event = survey.Trigger }, now);
                if (r == Reasons.Eligible)
                {
                    EndUserStore.Upsert(c, tx, workspace.Id, sighting);
                    var token = LinkStore.Create(c, tx, workspace.Id, survey.Id, ask.UserId, channel, request.Locale, now, expiresAt);
                    return new LinkCreated(token, survey.Id, expiresAt, r);
                }
                if (survey.Active)
                    reason ??= r;
            }
            return new LinkCreated(null, null, 0, reason ?? Reasons.SurveyInactive);
        });
    }

    /// <summary>Opens a link: records its display the first time (channel of the link), or finds it again.</summary>
    public async Task<LinkOpened> OpenAsync(string token, string? acceptLanguage)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var (link, survey) = await FindAsync(token);
        if (link is null || survey is null)
            return new LinkOpened(link is null ? LinkState.Unknown : LinkState.Unavailable, link);
        return await writer.ExecuteAsync((c, tx) =>
        {
            var opened = Resolve(c, tx, token, survey, acceptLanguage, now);
            return opened.State == LinkState.Open && opened.Display!.AnsweredAt is not null ? opened with { State = LinkState.Answered } : opened;
        });
    }

    /// <summary>
    /// Saves the link's one answer: the first post records the score; later posts of the same page may
    /// add the comment or follow-up answers to it but not change the score (410 <see cref="LinkState.Answered"/>).
    /// </summary>
    public async Task<(LinkOpened Opened, SaveResult? Saved)> AnswerAsync(string token, ResponseChange change, string? acceptLanguage)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var (link, survey) = await FindAsync(token);
        if (link is null || survey is null)
            return (new LinkOpened(link is null ? LinkState.Unknown : LinkState.Unavailable, link), null);
        return await writer.ExecuteAsync((c, tx) =>
        {
            var opened = Resolve(c, tx, token, survey, acceptLanguage, now);
            if (opened.State != LinkState.Open)
                return (opened, null);
            var display = opened.Display!;
            if (display.AnsweredAt is not null && ResponseStore.ScoreOf(c, tx, display.Id) != change.Score)
                return (opened with { State = LinkState.Answered }, null);
            return (opened, ResponseStore.Save(c, tx, display, change, now, responses));
        });
    }

    /// <summary>
    /// "Don't ask me again" on the hosted page: opts the link's user out of every survey of the link's workspace, through the
    /// same privacy hooks as <c>POST /v1/opt-outs</c>. An expired or answered link opts out too: a privacy wish is not refused.
    /// Null for an unknown link; else whether the user was not opted out before.
    /// </summary>
    public async Task<bool?> OptOutAsync(string token, Privacy.PrivacyHooks hooks)
    {
        if ((await FindAsync(token)).Link is not { } link)
            return null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await writer.ExecuteAsync((c, tx) => Privacy.PrivacyStore.OptOut(c, tx, link.WorkspaceId, link.UserId, now, hooks));
    }

    /// <summary>The question kind of the link's survey, so an answer is checked on its scale; null for an unknown link.</summary>
    public async Task<QuestionKind?> KindAsync(string token) =>
        (await FindAsync(token)).Survey is { } survey ? QuestionKinds.Of(survey.Kind) : null;

    async Task<(StoredLink? Link, Survey? Survey)> FindAsync(string token)
    {
        if (!LinkStore.IsWellFormed(token))
            return (null, null);
        StoredLink? link;
        using (var reader = reads.Rent())
            link = LinkStore.Find(reader.Connection, null, token);
        if (link is null)
            return (null, null);
        return (link, (await surveys.GetAsync(link.WorkspaceId)).FirstOrDefault(s => s.Id == link.SurveyId));
    }

    /// <summary>The link's display, created on the first opening, and whether the link may still be answered.</summary>
    LinkOpened Resolve(DbConnection c, DbTransaction tx, string token, Survey survey, string? acceptLanguage, long now)
    {
        var link = LinkStore.Find(c, tx, token);
        if (link is null)
            return new LinkOpened(LinkState.Unknown);
        if (now >= link.ExpiresAt)
            return new LinkOpened(LinkState.Expired, link);
        var display = link.DisplayId is { } id ? DisplayStore.Find(c, tx, id) : null;
        if (link.DisplayId is not null && display is null)
            return new LinkOpened(LinkState.Unavailable, link);
        if (display?.AnsweredAt is not null)
            return new LinkOpened(LinkState.Open, link, display, survey);

        var (stored, history) = DisplayStore.UserHistory(c, tx, link.WorkspaceId, link.UserId);
        var own = history.GetValueOrDefault(survey.Id) ?? SurveyHistory.None;
        if (stored?.OptedOutAt is not null)
            return new LinkOpened(LinkState.OptedOut, link);
        if (stored is null || !survey.Active
            || own.LastAnsweredAt is { } answered && EligibilityRules.Within(now, answered, survey.ResurveyDays))
            return new LinkOpened(LinkState.Unavailable, link);
        if (display is not null)
            return new LinkOpened(LinkState.Open, link, display, survey);

        var locale = LocaleNegotiation.Negotiate(link.Locale, acceptLanguage, EligibilityService.CustomLocales(survey));
        var variant = VariantAssignment.Assign(link.WorkspaceId, survey.Id, link.UserId, survey.Variants);
        var (created, _) = DisplayStore.Create(c, tx, link.WorkspaceId, survey.Id, link.UserId, now, TimeSpan.FromMilliseconds(link.ExpiresAt - now),
            stored.Email, stored.Traits, locale, null, variant, link.Channel);
        displays.DisplayCreated(c, tx, created.ToWritten());
        LinkStore.SetDisplay(c, tx, link.Id, created.Id);
        return new LinkOpened(LinkState.Open, link, created, survey);
    }
}
