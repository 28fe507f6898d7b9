using Pulse.Api.Localization;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Api.Eligibility;

/// <summary>
/// Limits of an eligibility request; every error names its field. Free text (the user id, trait
/// values) is stored as text and may hold any printable character — quotes, angle brackets,
/// SQL — because it is only ever bound as a parameter and rendered with textContent. Fields with
/// a format (email, url, event, locale, trait keys) must have it. Pure logic.
/// </summary>
public static class EligibilityValidation
{
    public const int MaxUserIdLength = 256;
    public const int MaxEmailLength = 320;
    public const int MaxUrlLength = 2048;
    public const int MaxUserHashLength = 128;

    public static Dictionary<string, string[]> Validate(EligibilityRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        if (request.User is not { } user)
        {
            Error("user", "user is required: { id, email?, createdAt?, traits? }");
        }
        else
        {
            if (string.IsNullOrEmpty(user.Id) || user.Id.Length > MaxUserIdLength || HasControl(user.Id) || user.Id.AsSpan().Trim().IsEmpty)
                Error("user.id", $"user.id is your id for the signed-in user: 1–{MaxUserIdLength} characters, no control characters");
            if (user.Email is not null && !IsEmail(user.Email))
                Error("user.email", $"user.email is an email address of at most {MaxEmailLength} characters");
            if (user.Traits is { } traits)
            {
                if (traits.Count > Traits.MaxCount)
                    Error("user.traits", $"at most {Traits.MaxCount} traits (got {traits.Count})");
                else
                    foreach (var (key, value) in traits)
                    {
                        if (!Traits.IsValidKey(key))
                            Error("user.traits", $"trait keys start with a letter or _, then letters, digits, _ . -; at most {Traits.MaxKeyLength} characters");
                        else if (Traits.CheckValue(value) is { } problem)
                            Error($"user.traits.{key}", problem);
                    }
            }
        }
        if (request.Event is not null && !SurveyValidation.IsEventName(request.Event))
            Error("event", "event is null (a page view) or an event name of 1–64 characters [a-z0-9_.-]");
        if (request.Locale is not null && !LocaleNegotiation.IsWellFormedTag(request.Locale))
            Error("locale", "locale is a language tag such as 'de', 'de-AT' or 'pt-BR'");
        if (request.Url is not null && !IsPageUrl(request.Url))
            Error("url", $"url is an absolute http(s) URL of at most {MaxUrlLength} characters");
        if (request.UserHash is { Length: > MaxUserHashLength })
            Error("userHash", "userHash is 64 hexadecimal characters: HMAC-SHA256(identitySecret, user.id)");
        return errors;
    }

    /// <summary>A plain address: one '@', no spaces, quotes, brackets or other RFC 5322 specials; a dotted domain.</summary>
    public static bool IsEmail(string email)
    {
        if (email.Length is < 3 or > MaxEmailLength)
            return false;
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || at > 64)
            return false;
        var local = email.AsSpan(0, at);
        foreach (var c in local)
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>' or '(' or ')' or '[' or ']' or '\\' or ',' or ';' or ':' or '"')
                return false;
        foreach (var range in email.AsSpan(at + 1).Split('.'))
        {
            var label = email.AsSpan(at + 1)[range];
            if (label.Length is 0 or > 63)
                return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c > 127 && char.IsLetterOrDigit(c)))
                    return false;
        }
        return true;
    }

    static bool IsPageUrl(string url) =>
        url.Length <= MaxUrlLength
        && !HasControl(url)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>Whether <paramref name="text"/> holds a control character (<see cref="char.IsControl(char)"/>), without allocating.</summary>
    public static bool HasControl(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (char.IsControl(c))
                return true;
        return false;
    }
}
