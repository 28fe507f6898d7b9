using System.ComponentModel.DataAnnotations;
using Pulse.Api.Eligibility;

namespace Pulse.Api.Links;

/// <summary>
/// <c>POST /v1/survey-links</c>: a personal link for one user. <c>user</c> has the shape of
/// eligibility's; <c>surveyId</c> picks the survey (else the highest-priority eligible one);
/// <c>locale</c> is the user's language (else the opener's browser decides); <c>channel</c> says how
/// the vendor sends it: <c>link</c> (default) or <c>email</c>.
/// </summary>
public sealed record SurveyLinkRequest(EligibilityUser? User, string? SurveyId, string? Locale, string? Channel);

/// <summary>
/// The link: <c>url</c> (absolute, from the request's host) and <c>path</c> (<c>/s/{token}</c>);
/// append <c>?score=N</c> to pre-select a score. Shown once: only a hash of the token is stored.
/// </summary>
public sealed record SurveyLink(string Url, string Path, string SurveyId, string UserId, string Channel, DateTimeOffset ExpiresAt);

/// <summary><c>POST /s/{token}/responses</c>: the hosted page's answer (the widget's response without a display token).</summary>
public sealed record LinkAnswer(int? Score, string? Comment, Dictionary<string, string>? FollowUp);

/// <summary>Settings of the <c>Links</c> section.</summary>
public sealed class LinkOptions
{
    public const string Section = "Links";

    /// <summary>How long a personal survey link can be opened and answered.</summary>
    [Range(1, 365)]
    public int LinkDays { get; set; } = 14;
}
