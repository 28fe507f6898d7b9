namespace Pulse.Client;

/// <summary>
/// A server-side eligibility call (<c>POST /v1/eligibility</c> with the secret key): should this
/// user see a survey now? No site key, origin or <c>userHash</c> is needed from a server.
/// </summary>
/// <param name="User">The user, with the traits segments and targeting read.</param>
public sealed record EligibilityCheck(PulseUser User)
{
    /// <summary>Null for a page view; else an event name (<c>a-z 0-9 _ . -</c>) that triggers surveys with that <c>trigger</c>.</summary>
    public string? Event { get; init; }

    /// <summary>A language tag (<c>de</c>, <c>de-AT</c>, <c>pt-BR</c>) for the survey's texts; default English.</summary>
    public string? Locale { get; init; }

    /// <summary>The page or screen the survey would show on (absolute http(s) URL), kept with the display.</summary>
    public Uri? Url { get; init; }

    /// <summary>Skip the time, fatigue, sampling and cap rules (never opt-outs or targeting): for tests and demos.</summary>
    public bool Force { get; init; }
}

/// <summary>Pulse's answer: not eligible with a reason, or eligible with a display token and the survey to show.</summary>
/// <param name="Eligible">Whether the survey should be shown now; when true, the display is already reserved.</param>
/// <param name="Reason">Why: <c>eligible</c> or the rule that said no (see <see cref="EligibilityReasons"/>).</param>
/// <param name="DisplayToken">For <see cref="IPulseClient.AnswerAsync"/> and <see cref="IPulseClient.DeclineAsync"/>; valid 7 days. Null when not eligible.</param>
/// <param name="Survey">What to show, every string in the user's language. Null when not eligible.</param>
public sealed record EligibilityResult(bool Eligible, string Reason, string? DisplayToken = null, EligibleSurvey? Survey = null);

/// <summary>The survey to show, with every string in the negotiated locale and the product name filled in.</summary>
/// <param name="Id">The survey's id (<c>srv_…</c>).</param>
/// <param name="Kind">The kind of survey: <c>nps</c>.</param>
/// <param name="Locale">The catalog locale the texts are in (<c>de</c>, <c>pt-BR</c>, …).</param>
/// <param name="Dir"><c>ltr</c> or <c>rtl</c> (Arabic, Hebrew).</param>
/// <param name="Texts">Every string the survey shows.</param>
/// <param name="Theme">Accent colour and position.</param>
public sealed record EligibleSurvey(string Id, string Kind, string Locale, string Dir, SurveyTexts Texts, SurveyTheme Theme);

/// <summary>Every string of an NPS survey in one language.</summary>
/// <param name="Question">The 0–10 question.</param>
/// <param name="Low">The label under 0.</param>
/// <param name="High">The label under 10.</param>
/// <param name="FollowUp">The follow-up question per category.</param>
/// <param name="Placeholder">The comment box's placeholder.</param>
/// <param name="Submit">The submit button.</param>
/// <param name="Dismiss">The close button's label.</param>
/// <param name="Thanks">The thank-you line.</param>
public sealed record SurveyTexts(string Question, string Low, string High, FollowUpTexts FollowUp, string Placeholder, string Submit, string Dismiss, string Thanks);

/// <summary>The follow-up question asked after the score, per NPS category.</summary>
/// <param name="Promoter">After 9–10.</param>
/// <param name="Passive">After 7–8.</param>
/// <param name="Detractor">After 0–6.</param>
public sealed record FollowUpTexts(string Promoter, string Passive, string Detractor);

/// <summary>How the survey looks.</summary>
/// <param name="Color">Accent colour <c>#rrggbb</c>.</param>
/// <param name="Position"><c>bottom-right</c>, <c>bottom-left</c>, <c>top-right</c>, <c>top-left</c> or <c>center</c>.</param>
public sealed record SurveyTheme(string Color, string Position);

/// <summary>The reasons eligibility answers with (docs/api.md, "How the decision is made").</summary>
public static class EligibilityReasons
{
    /// <summary>Show the survey.</summary>
    public const string Eligible = "eligible";

    /// <summary>No active survey matches the call.</summary>
    public const string SurveyInactive = "survey_inactive";

    /// <summary>The user opted out: never survey them.</summary>
    public const string OptedOut = "opted_out";

    /// <summary>A targeting condition fails, or the email's domain is excluded.</summary>
    public const string NotTargeted = "not_targeted";

    /// <summary>No survey has this trigger.</summary>
    public const string NoTrigger = "no_trigger";

    /// <summary>The user signed up too recently.</summary>
    public const string TooNew = "too_new";

    /// <summary>The user answered recently.</summary>
    public const string ThrottledResponse = "throttled_response";

    /// <summary>The user dismissed the survey recently.</summary>
    public const string ThrottledDecline = "throttled_decline";

    /// <summary>The survey was shown and ignored recently, or is open right now elsewhere.</summary>
    public const string ThrottledDisplay = "throttled_display";

    /// <summary>Another survey was shown recently.</summary>
    public const string Fatigue = "fatigue";

    /// <summary>The user is outside this cycle's sample.</summary>
    public const string SampledOut = "sampled_out";

    /// <summary>The survey reached its daily cap.</summary>
    public const string DailyCap = "daily_cap";
}

/// <summary>
/// An answer to a display (<c>POST /v1/responses</c>), for vendors who render the survey themselves.
/// Posting again with the same token updates the answer: send the score first, the comment later.
/// </summary>
/// <param name="DisplayToken">The token of <see cref="EligibilityResult.DisplayToken"/>.</param>
/// <param name="Score">0–10.</param>
public sealed record Answer(string DisplayToken, int Score)
{
    /// <summary>The comment (at most 5,000 characters). Null keeps what an earlier post saved; empty clears it.</summary>
    public string? Comment { get; init; }

    /// <summary>Answers to extra follow-up questions (at most 10). Null keeps the saved ones; empty clears them.</summary>
    public IReadOnlyDictionary<string, string>? FollowUp { get; init; }
}

/// <summary>The response as saved (committed to disk) after <see cref="IPulseClient.AnswerAsync"/>.</summary>
/// <param name="Id">The response's id.</param>
/// <param name="Score">0–10.</param>
/// <param name="Category"><c>promoter</c> (9–10), <c>passive</c> (7–8) or <c>detractor</c> (0–6).</param>
/// <param name="Comment">The saved comment.</param>
/// <param name="FollowUp">The saved follow-up answers.</param>
/// <param name="CreatedAt">When the first answer was saved.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record SavedAnswer(
    long Id,
    int Score,
    string Category,
    string? Comment,
    IReadOnlyDictionary<string, string>? FollowUp,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True when this call created the response (201), false when it updated or repeated it (200).</summary>
    public bool Created { get; init; }
}
