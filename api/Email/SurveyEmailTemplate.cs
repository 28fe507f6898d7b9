using System.Globalization;
using System.Text;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;

namespace Pulse.Api.Email;

/// <summary>
/// The survey email (docs/decisions.md S3): the question in the user's locale with one link per point
/// of the kind's scale to the hosted page (<c>/s/{token}?score=N</c>, which only pre-selects the
/// score), the product's name and accent colour, a visible unsubscribe link and the RFC 8058 headers.
/// Every value from data goes through <see cref="E"/> in the HTML part. Pure.
/// </summary>
public static class SurveyEmailTemplate
{
    /// <summary>
    /// HTML-escapes text (&amp; &lt; &gt; " '), leaving every other character as it is: the email is in
    /// the user's language, and numeric entities for each letter of Arabic or Chinese would multiply its size.
    /// </summary>
    public static string E(string? text) => (text ?? "").Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    /// <summary>The headers every survey email carries: one-click unsubscribe (RFC 8058) by HTTPS POST to <paramref name="unsubscribeUrl"/>.</summary>
    public static Dictionary<string, string> Headers(string unsubscribeUrl) => new()
    {
        ["List-Unsubscribe"] = $"<{unsubscribeUrl}>",
        ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
    };

    /// <summary>The email of <paramref name="survey"/> (localized) to <paramref name="recipient"/>; <paramref name="pageUrl"/> is the personal link.</summary>
    public static OutgoingEmail Render(string workspaceId, EligibleSurvey survey, string productName, string recipient, string pageUrl,
        string unsubscribeUrl, string dedupeKey)
    {
        var strings = SurveyCatalog.Get(survey.Locale).Strings;
        string S(string key) => strings[key].Replace("{product}", productName, StringComparison.Ordinal);
        var subject = S("email.subject");
        var t = survey.Texts;
        var color = survey.Theme.Color;
        string Url(int score) => pageUrl + "?score=" + score.ToString(CultureInfo.InvariantCulture);

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(E(survey.Locale)).Append("\" dir=\"").Append(survey.Dir == "rtl" ? "rtl" : "ltr")
            .Append("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>").Append(E(subject))
            .Append("</title></head><body style=\"margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5\">")
            .Append("<main style=\"max-width:600px\"><p style=\"margin:0 0 16px;padding:0 0 8px;border-bottom:3px solid ").Append(color)
            .Append(";font-weight:bold;font-size:16px\">").Append(E(productName)).Append("</p>")
            .Append("<h1 style=\"font-size:18px;margin:0 0 8px\">").Append(E(t.Question)).Append("</h1>")
            .Append("<p style=\"margin:0 0 16px;color:#444\">").Append(E(S("email.intro"))).Append("</p>")
            .Append("<table role=\"presentation\" style=\"border-collapse:separate;border-spacing:4px\"><tr>");
        for (var n = survey.Scale.Min; n <= survey.Scale.Max; n++)
            html.Append("<td><a href=\"").Append(E(Url(n))).Append("\" style=\"display:inline-block;min-width:32px;padding:8px 0;text-align:center;")
                .Append("border:2px solid ").Append(color).Append(";border-radius:6px;color:#1a1a1a;text-decoration:none;font-weight:bold\">")
                .Append(n.ToString(CultureInfo.InvariantCulture)).Append("</a></td>");
        var span = (survey.Scale.Max - survey.Scale.Min + 1).ToString(CultureInfo.InvariantCulture);
        html.Append("</tr><tr><td colspan=\"").Append(span).Append("\"><table role=\"presentation\" style=\"width:100%;font-size:12px;color:#444\"><tr>")
            .Append("<td style=\"text-align:start\">").Append(E(t.Low)).Append("</td>")
            .Append("<td style=\"text-align:end\">").Append(E(t.High)).Append("</td></tr></table></td></tr></table>")
            .Append("<p style=\"margin:24px 0 0;font-size:12px;color:#555\">").Append(E(S("email.footer"))).Append(' ')
            .Append("<a href=\"").Append(E(unsubscribeUrl)).Append("\" style=\"color:#1a1a1a\">").Append(E(S("email.unsubscribe")))
            .Append("</a></p></main></body></html>");

        var text = new StringBuilder().Append(productName).Append("\n\n").Append(t.Question).Append("\n\n").Append(S("email.intro")).Append("\n\n");
        for (var n = survey.Scale.Min; n <= survey.Scale.Max; n++)
        {
            var label = n == survey.Scale.Min ? $" ({t.Low})" : n == survey.Scale.Max ? $" ({t.High})" : "";
            text.Append(n.ToString(CultureInfo.InvariantCulture)).Append(label).Append(": ").Append(Url(n)).Append('\n');
        }
        text.Append('\n').Append(S("email.footer")).Append('\n').Append(S("email.unsubscribe")).Append(": ").Append(unsubscribeUrl).Append('\n');

        return new OutgoingEmail(workspaceId, EmailKinds.Survey, recipient, subject, html.ToString(), text.ToString(), null, survey.Locale,
            Headers(unsubscribeUrl), dedupeKey);
    }
}
