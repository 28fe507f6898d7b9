using System.Buffers.Binary;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Pulse.Api.Displays;
using Pulse.Api.Localization;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Eligibility;

/// <summary>
/// Runs a decision against the database. The common answer (not eligible) costs a couple of
/// indexed reads and no write. When a survey looks eligible, one write command re-reads the
/// user's history inside the writer's transaction, decides again and only then creates the
/// display: the writer is the only one in this process, and <c>BEGIN IMMEDIATE</c> serialises it
/// with writers of other processes on the same file (on PostgreSQL, the user's advisory lock,
/// <see cref="ReservationKey"/>, serialises the writers of several instances), so concurrent calls for one
/// user (two tabs, two API instances) reserve one display, and the others see it and answer <c>throttled_display</c>.
/// </summary>
public sealed class EligibilityService
{
    readonly ReadPool _reads;
    readonly WriteQueue _writer;
    readonly DisplayHooks _hooks;
    readonly SurveyCache _surveys;
    readonly TimeProvider _time;
    readonly TimeSpan _tokenLifetime;
    readonly TimeSpan _lastSeenResolution;
    readonly Counter<long> _decisions;
    readonly DecisionCache _cache;

    public EligibilityService(ReadPool reads, WriteQueue writer, DisplayHooks hooks, SurveyCache surveys, TimeProvider time,
        IOptions<EligibilityOptions> options, PulseMetrics metrics, DecisionCache cache)
    {
        _cache = cache;
        _reads = reads;
        _writer = writer;
        _hooks = hooks;
        _surveys = surveys;
        _time = time;
        _tokenLifetime = TimeSpan.FromDays(options.Value.DisplayTokenDays);
        _lastSeenResolution = TimeSpan.FromMinutes(options.Value.LastSeenResolutionMinutes);
        _decisions = metrics.Meter.CreateCounter<long>("pulse.eligibility.decisions", unit: "{decision}",
            description: "Eligibility answers, tagged with their reason code");
    }

    /// <summary>Decides for a validated, authenticated request; reserves a display when the answer is yes.</summary>
    public async Task<EligibilityResponse> CheckAsync(Workspace workspace, EligibilityRequest request, string? acceptLanguage)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var user = request.User!;
        var ask = new EligibilityAsk(user.Id!, user.Email, user.CreatedAt?.ToUnixTimeMilliseconds(), user.Traits,
            request.Event, request.Force == true);
        var sighting = new UserSighting(ask.UserId, ask.Email, ask.SignedUpAt,
            user.Traits is null ? null : Traits.ToJson(user.Traits), now);
        var rules = new WorkspaceRules(workspace.Id, workspace.FatigueDays);
        var surveys = await _surveys.GetAsync(workspace.Id);

        // A repeat of a recent "not eligible" call (the user's next page view) needs no database read.
        var version = DecisionCache.Version(workspace, surveys, _surveys.Generation(workspace.Id));
        var fingerprint = DecisionCache.Fingerprint(sighting.Email, sighting.SignedUpAt, sighting.TraitsJson);
        var resolutionMs = (long)_lastSeenResolution.TotalMilliseconds;
        if (!ask.Force && _cache.TryGet(workspace.Id, ask.UserId, ask.Event, now, version, fingerprint, resolutionMs, out var cached))
        {
            _decisions.Add(1, new KeyValuePair<string, object?>("reason", cached));
            return new EligibilityResponse(false, cached);
        }

        UserHistory history;
        using (var reader = _reads.Rent())
            history = EligibilityStore.Load(reader.Connection, null, workspace.Id, ask.UserId, surveys, ask.Event, now);
        var decision = EligibilityRules.Decide(surveys, rules, history, ask, now);

        if (decision.Eligible)
            return await ReserveAsync(workspace, surveys, rules, ask, sighting, request, acceptLanguage, now);

        var lastSeenAt = history.Stored?.LastSeenAt ?? now;
        if (sighting.Changes(history.Stored, _lastSeenResolution))
        {
            await RecordSightingAsync(workspace.Id, sighting);
            lastSeenAt = now;
        }
        if (!ask.Force)
            _cache.Set(workspace.Id, ask.UserId, ask.Event, decision.Reason, now,
                EligibilityRules.StableUntil(surveys, rules, history, ask, now), version, fingerprint, lastSeenAt);
        _decisions.Add(1, new KeyValuePair<string, object?>("reason", decision.Reason));
        return new EligibilityResponse(false, decision.Reason);
    }

    // The writes live in methods of their own: their lambdas' captures would otherwise be allocated on every call,
    // the cached and the not-eligible ones too (H15).
    async Task<EligibilityResponse> ReserveAsync(Workspace workspace, IReadOnlyList<Survey> surveys, WorkspaceRules rules, EligibilityAsk ask,
        UserSighting sighting, EligibilityRequest request, string? acceptLanguage, long now)
    {
        // An append: the new display only adds to the aggregates (decision WR2).
        var (final, token, shown) = await _writer.AppendAsync((c, tx) =>
            Reserve(c, tx, workspace.Id, surveys, rules, ask, sighting, request.Locale, acceptLanguage, request.Url, now),
            LockKeys(workspace.Id, ask.UserId, surveys));
        _decisions.Add(1, new KeyValuePair<string, object?>("reason", final.Reason));
        return final.Survey is { } survey
            ? new EligibilityResponse(true, final.Reason, token, Localize(survey, shown.Locale, workspace.ProductName, shown.Variant))
            : new EligibilityResponse(false, final.Reason);
    }

    Task RecordSightingAsync(string workspaceId, UserSighting sighting) =>
        _writer.ExecuteAsync((c, tx) => EndUserStore.Upsert(c, tx, workspaceId, sighting));

    /// <summary>
    /// The lock key of one user's reservations: the writer holds it from before the re-check until the display
    /// is committed, so the writers of several instances on one PostgreSQL database re-check one user in turn
    /// (docs/decisions.md G8). The top 64 bits of a SHA-256 of the pair; two users sharing a key only wait for each other.
    /// </summary>
    public static long ReservationKey(string workspaceId, string userId) =>
        Key(string.Create(CultureInfo.InvariantCulture, $"reserve|{workspaceId.Length}:{workspaceId}|{userId}"));

    /// <summary>
    /// The locks of a reservation: the user's, and one per survey with a daily cap (<see cref="DailyCapKey"/>), since the
    /// cap counts every user's displays of the day and two instances must not both show the last one (I3).
    /// </summary>
    static IReadOnlyList<long> LockKeys(string workspaceId, string userId, IReadOnlyList<Survey> surveys)
    {
        var keys = new List<long>(1) { ReservationKey(workspaceId, userId) };
        foreach (var survey in surveys)
            if (survey.DailyCap is not null)
                keys.Add(DailyCapKey(workspaceId, survey.Id));
        return keys;
    }

    /// <summary>
    /// The lock key of a capped survey's displays: an instance's writer holds it from the re-check until the display
    /// commits, so the writers of several instances count the day's displays in turn (same scheme as <see cref="ReservationKey"/>).
    /// </summary>
    public static long DailyCapKey(string workspaceId, string surveyId) =>
        Key(string.Create(CultureInfo.InvariantCulture, $"cap|{workspaceId.Length}:{workspaceId}|{surveyId}"));

    static long Key(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    /// <summary>What a display showed: the negotiated locale and the user's variant (null: the survey has none).</summary>
    readonly record struct Shown(string Locale, string? Variant);

    /// <summary>
    /// The write command: decide again on the writer's view, then record the user and the display
    /// together, with the locale negotiated against the chosen survey's own locales and the user's variant.
    /// </summary>
    (Decision, string?, Shown) Reserve(DbConnection c, DbTransaction tx, string workspaceId,
        IReadOnlyList<Survey> surveys, WorkspaceRules rules, EligibilityAsk ask, UserSighting sighting, string? requestedLocale, string? acceptLanguage,
        string? url, long now)
    {
        var history = EligibilityStore.Load(c, tx, workspaceId, ask.UserId, surveys, ask.Event, now);
        var decision = EligibilityRules.Decide(surveys, rules, history, ask, now);
        if (decision.Survey is not { } survey)
        {
            if (sighting.Changes(history.Stored, _lastSeenResolution))
                EndUserStore.Upsert(c, tx, workspaceId, sighting);
            return (decision, null, default);
        }
        var shown = new Shown(LocaleNegotiation.Negotiate(requestedLocale, acceptLanguage, CustomLocales(survey)),
            VariantAssignment.Assign(workspaceId, survey.Id, ask.UserId, survey.Variants));
        var traits = sighting.TraitsJson ?? history.Stored?.Traits ?? "{}";
        var email = ask.Email ?? history.Stored?.Email;
        var (_, token) = DisplayStore.Show(c, tx, _hooks, workspaceId, survey.Id, sighting, _tokenLifetime, email, traits, shown.Locale, url, shown.Variant);
        return (decision, token, shown);
    }

    /// <summary>The survey's own locales: tags of its texts that the catalog does not have.</summary>
    public static IEnumerable<string> CustomLocales(Survey survey) => survey.Texts.Keys.Where(k => SurveyCatalog.Find(k) is null);

    /// <summary>
    /// The strings of <paramref name="locale"/> — a custom locale's own, or the catalog's with the
    /// survey's overrides on top — then the variant's texts on top, <c>{product}</c> filled in.
    /// </summary>
    public static EligibleSurvey Localize(Survey survey, string locale, string productName, string? variant = null)
    {
        var own = survey.Texts.FirstOrDefault(t => string.Equals(t.Key, locale, StringComparison.OrdinalIgnoreCase));
        var entry = own.Value is not null && SurveyCatalog.Find(locale) is null ? null : SurveyCatalog.Get(locale);
        var code = entry?.Code ?? own.Key;
        var layers = new List<TextOverrides>();
        if (survey.Variants.FirstOrDefault(v => v.Key == variant) is { } chosen
            && chosen.Texts.FirstOrDefault(t => string.Equals(t.Key, code, StringComparison.OrdinalIgnoreCase)).Value is { } changed)
            layers.Add(changed);
        if (own.Value is not null)
            layers.Add(own.Value);
        var reasons = survey.ReasonsOf(variant);
        var kind = QuestionKinds.Of(survey.Kind);
        var texts = CatalogKeys.Texts(CatalogKeys.FieldsOf(kind.CategoryNames), field =>
            (layers.Select(l => l.Field(field)).FirstOrDefault(t => t is not null) ?? entry?.Strings[CatalogKeys.KeyOf(survey.Kind, field)]
                ?? SurveyCatalog.Get(SurveyCatalog.DefaultLocale).Strings[CatalogKeys.KeyOf(survey.Kind, field)])
            .Replace("{product}", productName, StringComparison.Ordinal), withReasons: reasons is not null);
        var dir = entry?.Dir ?? own.Value!.Dir ?? LocaleNegotiation.DefaultDir(code);
        return new EligibleSurvey(survey.Id, survey.Kind, code, dir, texts, survey.Theme, new SurveyScale(kind.Min, kind.Max, kind.Categories))
        {
            Reasons = LocalizeReasons(reasons, survey.Kind, code),
        };
    }

    /// <summary>The lists of the categories that are asked, labels in <paramref name="locale"/>; null when none is.</summary>
    static EligibleReasons? LocalizeReasons(SurveyReasons? reasons, string kind, string locale)
    {
        if (reasons is null)
            return null;
        var lists = ScoreCategories.Of(kind)
            .Select(b => new EligibleReasonList(b.Category, b.Min, b.Max, reasons.For(b.Category).Select(r => new EligibleReason(r.Id, r.LabelIn(locale))).ToList()))
            .Where(l => l.Options.Count > 0)
            .ToList();
        return lists.Count == 0 ? null : new EligibleReasons(reasons.Multiple, reasons.Other, lists);
    }
}
