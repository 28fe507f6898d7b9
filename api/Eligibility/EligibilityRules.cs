using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pulse.Api.Displays;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Api.Eligibility;

/// <summary>The reason codes of an eligibility answer (docs/eligibility.md), in order of precedence.</summary>
public static class Reasons
{
    public const string Eligible = "eligible";
    public const string SurveyInactive = "survey_inactive";
    public const string OptedOut = "opted_out";
    public const string NotTargeted = "not_targeted";
    public const string NoTrigger = "no_trigger";
    public const string TooNew = "too_new";
    public const string ThrottledResponse = "throttled_response";
    public const string ThrottledDecline = "throttled_decline";
    public const string ThrottledDisplay = "throttled_display";
    public const string Fatigue = "fatigue";
    public const string SampledOut = "sampled_out";
    public const string DailyCap = "daily_cap";

    public static readonly IReadOnlyList<string> All =
    [
        Eligible, SurveyInactive, OptedOut, NotTargeted, NoTrigger, TooNew, ThrottledResponse, ThrottledDecline,
        ThrottledDisplay, Fatigue, SampledOut, DailyCap,
    ];
}

/// <summary>
/// Everything stored that the decision reads: the user's row (null for a user never seen), their
/// history per survey, and how many displays each capped survey has had today (UTC).
/// </summary>
public sealed record UserHistory(
    EndUser? Stored,
    IReadOnlyDictionary<string, SurveyHistory> Surveys,
    IReadOnlyDictionary<string, int> DisplaysToday)
{
    public static UserHistory Empty { get; } = new(null, new Dictionary<string, SurveyHistory>(), new Dictionary<string, int>());
}

/// <summary>What the caller asks with: the user as the request describes them, the event, and <c>force</c>.</summary>
public sealed record EligibilityAsk(
    string UserId,
    string? Email = null,
    long? SignedUpAt = null,
    IReadOnlyDictionary<string, JsonElement>? Traits = null,
    string? Event = null,
    bool Force = false);

/// <summary>The workspace settings the decision reads.</summary>
public sealed record WorkspaceRules(string WorkspaceId, int FatigueDays);

/// <summary>The answer: a reason code, and the survey to show when the reason is <c>eligible</c>.</summary>
public sealed record Decision(string Reason, Survey? Survey)
{
    public bool Eligible => Survey is not null;
}

/// <summary>
/// The eligibility decision: a pure function of (surveys, workspace settings, user history,
/// request, now) — no I/O, no clock. Surveys are tried from the highest priority down and the
/// first eligible one wins. When none is, the answer carries the reason of the highest-priority
/// active survey whose trigger matches the call (that is the survey the caller was asking about);
/// when no active survey matches the trigger it is <c>no_trigger</c>, or <c>survey_inactive</c>
/// when only inactive surveys (or none) match.
/// </summary>
public static class EligibilityRules
{
    public const long Day = 86_400_000;

    public static Decision Decide(IReadOnlyList<Survey> surveys, WorkspaceRules workspace, UserHistory history, EligibilityAsk ask, long now)
    {
        // Merge what the call says with what is stored once, not once per survey.
        if (ask.Traits is null && surveys.Any(s => s.Targeting.Count > 0))
            ask = ask with { Traits = Traits.Parse(history.Stored?.Traits) };
        string? reason = null;
        var anyMatchesTrigger = false;
        foreach (var survey in Ordered(surveys))
        {
            var r = Evaluate(survey, workspace, history, ask, now);
            if (r == Reasons.Eligible)
                return new Decision(r, survey);
            if (TriggerMatches(survey, ask.Event))
            {
                anyMatchesTrigger = true;
                if (survey.Active)
                    reason ??= r;
            }
        }
        return new Decision(reason ?? (anyMatchesTrigger || !surveys.Any(s => s.Active) ? Reasons.SurveyInactive : Reasons.NoTrigger), null);
    }

    /// <summary>Highest priority first; ties go to the older survey, then the id, so the order never depends on storage.</summary>
    public static IEnumerable<Survey> Ordered(IEnumerable<Survey> surveys) =>
        surveys.OrderByDescending(s => s.Priority).ThenBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal);

    /// <summary>The reason code for one survey, checking the rules in the order of docs/eligibility.md.</summary>
    public static string Evaluate(Survey survey, WorkspaceRules workspace, UserHistory history, EligibilityAsk ask, long now)
    {
        if (!survey.Active)
            return Reasons.SurveyInactive;
        if (history.Stored?.OptedOutAt is not null)
            return Reasons.OptedOut;
        if (survey.Targeting.Count > 0 || survey.ExcludeEmailDomains.Count > 0)
        {
            var email = ask.Email ?? history.Stored?.Email;
            var traits = ask.Traits ?? Traits.Parse(history.Stored?.Traits);
            if (!Targeting.Matches(survey, email, traits))
                return Reasons.NotTargeted;
        }
        if (!TriggerMatches(survey, ask.Event))
            return Reasons.NoTrigger;
        if (ask.Force)
            return Reasons.Eligible;

        // A user Pulse has never seen is first seen now; without createdAt that is the sign-up date.
        var signedUpAt = ask.SignedUpAt ?? history.Stored?.SignedUpAt ?? history.Stored?.FirstSeenAt ?? now;
        if (Within(now, signedUpAt, survey.FirstSurveyDelayDays))
            return Reasons.TooNew;

        var own = history.Surveys.GetValueOrDefault(survey.Id) ?? SurveyHistory.None;
        if (own.LastAnsweredAt is { } answered && Within(now, answered, survey.ResurveyDays))
            return Reasons.ThrottledResponse;
        if (own.LastDeclinedAt is { } declined && Within(now, declined, survey.DeclineCooldownDays))
            return Reasons.ThrottledDecline;
        if (own.LastIgnoredAt is { } ignored && Within(now, ignored, survey.ReshowAfterIgnoredDays))
            return Reasons.ThrottledDisplay;

        foreach (var (otherId, other) in history.Surveys)
            if (otherId != survey.Id && other.LastShownAt is { } shown && Within(now, shown, workspace.FatigueDays))
                return Reasons.Fatigue;

        var cycle = Sampling.Cycle(survey.ResurveyDays, now);
        if (!Sampling.Selected(survey.SamplePercent, Sampling.Bucket(workspace.WorkspaceId, survey.Id, ask.UserId, cycle)))
            return Reasons.SampledOut;

        if (survey.DailyCap is { } cap && history.DisplaysToday.GetValueOrDefault(survey.Id) >= cap)
            return Reasons.DailyCap;
        return Reasons.Eligible;
    }

    /// <summary>A page view (no event) matches surveys without a trigger; an event matches surveys triggered by exactly that event.</summary>
    /// <summary>
    /// The first instant after <paramref name="now"/> at which the passing of time alone could change
    /// <see cref="Decide"/>'s answer for this user: the end of a delay, throttle, cooldown or fatigue
    /// gap, the next sampling cycle, or the next UTC day for capped surveys. Until then, with the same
    /// surveys, history and request, the answer is the same — which is what lets a "not eligible"
    /// answer be reused (see <see cref="DecisionCache"/>). <see cref="long.MaxValue"/> when nothing is timed.
    /// </summary>
    public static long StableUntil(IReadOnlyList<Survey> surveys, WorkspaceRules workspace, UserHistory history, EligibilityAsk ask, long now)
    {
        var until = long.MaxValue;
        void Consider(long? at)
        {
            if (at is { } t && t > now && t < until)
                until = t;
        }
        var signedUpAt = ask.SignedUpAt ?? history.Stored?.SignedUpAt ?? history.Stored?.FirstSeenAt ?? now;
        foreach (var survey in surveys)
        {
            if (!survey.Active)
                continue;
            Consider(signedUpAt + survey.FirstSurveyDelayDays * Day);
            var own = history.Surveys.GetValueOrDefault(survey.Id) ?? SurveyHistory.None;
            Consider(own.LastAnsweredAt + survey.ResurveyDays * Day);
            Consider(own.LastDeclinedAt + survey.DeclineCooldownDays * Day);
            Consider(own.LastIgnoredAt + survey.ReshowAfterIgnoredDays * Day);
            // A new sampling cycle can only change the answer when sampling is partial.
            if (survey.SamplePercent is > 0 and < 100)
                Consider((Sampling.Cycle(survey.ResurveyDays, now) + 1) * Math.Max(1, survey.ResurveyDays) * Day);
            if (survey.DailyCap is not null)
                Consider(StartOfUtcDay(now) + Day);
        }
        foreach (var other in history.Surveys.Values)
            Consider(other.LastShownAt + workspace.FatigueDays * Day);
        return until;
    }

    public static bool TriggerMatches(Survey survey, string? eventName) =>
        survey.Trigger is null ? eventName is null : string.Equals(survey.Trigger, eventName, StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="now"/> is less than <paramref name="days"/> after <paramref name="since"/>.
    /// Exactly <c>days</c> later the wait is over; one millisecond earlier it is not.
    /// </summary>
    public static bool Within(long now, long since, int days) => now - since < days * Day;

    /// <summary>The start of the UTC day <paramref name="now"/> falls in: the daily cap counts from here.</summary>
    public static long StartOfUtcDay(long now) => now - (((now % Day) + Day) % Day);
}

/// <summary>Trait conditions and email-domain exclusions of a survey. All conditions must hold.</summary>
public static class Targeting
{
    public static bool Matches(Survey survey, string? email, IReadOnlyDictionary<string, JsonElement> traits)
    {
        if (survey.ExcludeEmailDomains.Count > 0 && EmailDomain(email) is { } domain)
            foreach (var excluded in survey.ExcludeEmailDomains)
                if (domain == excluded || domain.EndsWith("." + excluded, StringComparison.Ordinal))
                    return false;
        foreach (var condition in survey.Targeting)
            if (!Holds(condition, traits))
                return false;
        return true;
    }

    /// <summary>
    /// One condition. A missing (or null) trait fails <c>eq</c>, <c>in</c>, <c>gte</c>, <c>lte</c>
    /// and <c>exists</c>, and satisfies <c>neq</c> and <c>nin</c>. Strings compare without regard
    /// to case; numbers numerically (a numeric string counts as its number).
    /// </summary>
    public static bool Holds(TargetingCondition condition, IReadOnlyDictionary<string, JsonElement> traits)
    {
        var present = traits.TryGetValue(condition.Trait, out var value) && value.ValueKind != JsonValueKind.Null;
        return condition.Op switch
        {
            "exists" => present,
            "eq" => present && Equal(value, condition.Value!.Value),
            "neq" => !(present && Equal(value, condition.Value!.Value)),
            "in" => present && ValueSet.Of(condition.Values!).Contains(value),
            "nin" => !(present && ValueSet.Of(condition.Values!).Contains(value)),
            "gte" => present && Number(value) is { } n && n >= Number(condition.Value!.Value),
            "lte" => present && Number(value) is { } m && m <= Number(condition.Value!.Value),
            _ => false,
        };
    }

    /// <summary>
    /// The values of an <c>in</c>/<c>nin</c> rule as hash sets, built once per loaded list (the survey
    /// cache keeps the same instances), so a rule costs one lookup instead of one comparison per value.
    /// <see cref="Contains"/> answers exactly what comparing with each value by <see cref="Equal"/> would:
    /// a number (or numeric string) matches a numeric value; anything else matches by text, ignoring case.
    /// </summary>
    sealed class ValueSet
    {
        static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<JsonElement>, ValueSet> Built = new();

        readonly HashSet<double> _numbers = [];
        readonly HashSet<string> _texts = new(StringComparer.OrdinalIgnoreCase);

        public static ValueSet Of(IReadOnlyList<JsonElement> values) => Built.GetValue(values, list => new ValueSet(list));

        ValueSet(IReadOnlyList<JsonElement> values)
        {
            foreach (var v in values)
            {
                if (Number(v) is { } n)
                    _numbers.Add(n);
                if (Text(v) is { } t)
                    _texts.Add(t);
            }
        }

        public bool Contains(JsonElement value) =>
            Number(value) is { } n ? _numbers.Contains(n) : Text(value) is { } t && _texts.Contains(t);
    }

    static bool Equal(JsonElement a, JsonElement b)
    {
        if (Number(a) is { } x && Number(b) is { } y)
            return x == y;
        return string.Equals(Text(a), Text(b), StringComparison.OrdinalIgnoreCase);
    }

    static double? Number(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetDouble(out var d) => d,
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) => s,
        _ => null,
    };

    static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => v.GetRawText(),
        _ => null,
    };

    /// <summary>The lower-cased domain of an email address, or null.</summary>
    public static string? EmailDomain(string? email)
    {
        var at = email?.LastIndexOf('@') ?? -1;
        return at < 0 || at == email!.Length - 1 ? null : email[(at + 1)..].ToLowerInvariant();
    }
}

/// <summary>
/// Sticky sampling. A user's bucket for a survey is a hash of (workspace, survey, user, cycle)
/// mapped uniformly onto [0, 100); the user is sampled in when the bucket is below the survey's
/// percent. A <b>cycle</b> is one resurvey period — <c>resurveyDays</c> (at least one day) — counted
/// from the Unix epoch: within a cycle the same user always gets the same answer, so reloading a
/// page or calling from another device changes nothing; when a new cycle starts every user is
/// drawn afresh, so a user sampled out is not left out for ever.
/// </summary>
public static class Sampling
{
    public static long Cycle(int resurveyDays, long now)
    {
        var period = Math.Max(1, resurveyDays) * EligibilityRules.Day;
        return now >= 0 ? now / period : (now - period + 1) / period;
    }

    /// <summary>A number in [0, 100) that depends only on its inputs.</summary>
    public static double Bucket(string workspaceId, string surveyId, string userId, long cycle)
    {
        // Length prefixes keep the encoding unambiguous whatever the ids contain.
        var input = string.Create(CultureInfo.InvariantCulture,
            $"{workspaceId.Length}:{workspaceId}|{surveyId.Length}:{surveyId}|{userId.Length}:{userId}|{cycle}");
        return Unit(input) * 100.0;
    }

    /// <summary>A number in [0, 1) from the SHA-256 of <paramref name="input"/> (its top 53 bits).</summary>
    public static double Unit(string input)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        var top53 = BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11;
        return top53 * (1.0 / (1UL << 53));
    }

    public static bool Selected(double percent, double bucket) => bucket < percent;
}
