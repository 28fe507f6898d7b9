using System.Globalization;
using System.Net;
using System.Text;
using Pulse.Api.FollowUps;
using Pulse.Api.Team;

namespace Pulse.Api.Email;

/// <summary>
/// The emails to the team, each as an HTML part and a plain-text part, in English. Every value that
/// comes from data (names, comments, traits, workspace names) goes through <see cref="H"/> in the
/// HTML part, so nothing in it can add markup. Links point at the dashboard. Pure.
/// </summary>
public static class EmailTemplates
{
    /// <summary>HTML-escapes text (&lt; &gt; &amp; " ').</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    static string When(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The invitation or password-reset email of a one-time link.</summary>
    public static OutgoingEmail Link(LinkCreated link)
    {
        var workspace = link.WorkspaceName ?? "a Pulse workspace";
        var by = string.IsNullOrEmpty(link.CreatedBy) ? "" : $" ({link.CreatedBy})";
        if (link.Kind == "reset")
        {
            var subject = "Set a new password for Pulse";
            var intro = $"An owner of {workspace}{by} made you a link to set a new password for Pulse.";
            return new OutgoingEmail(link.WorkspaceId, EmailKinds.PasswordReset, link.Email, subject,
                Page(subject, P(H(intro)) + Button(link.Link, "Set a new password") + Small($"The link works once, until {When(link.ExpiresAt)}. If you did not expect it, ignore this email.")),
                $"{intro}\n\nSet a new password: {link.Link}\n\nThe link works once, until {When(link.ExpiresAt)}. If you did not expect it, ignore this email.\n",
                link.MemberId);
        }
        var invited = $"You are invited to {workspace} on Pulse";
        var body = $"You were invited{by} to join {workspace} on Pulse as {link.Role ?? "a member"}.";
        return new OutgoingEmail(link.WorkspaceId, EmailKinds.Invitation, link.Email, invited,
            Page(invited, P(H(body)) + Button(link.Link, "Accept the invitation") + Small($"The link works once, until {When(link.ExpiresAt)}.")),
            $"{body}\n\nAccept the invitation: {link.Link}\n\nThe link works once, until {When(link.ExpiresAt)}.\n",
            link.MemberId);
    }

    /// <summary>The email to a member a follow-up was assigned to.</summary>
    public static OutgoingEmail FollowUpAssigned(string workspaceId, FollowUpRow f, string? surveyName, string dashboardUrl)
    {
        var who = f.Email ?? f.UserId;
        var subject = $"Follow-up assigned to you: {f.Score}/10 from {who}";
        var link = $"{dashboardUrl}#/responses/{f.ResponseId.ToString(CultureInfo.InvariantCulture)}";
        var due = f.DueAt is { } d ? $"Due {When(d)}." : "No due date.";
        var comment = string.IsNullOrWhiteSpace(f.Comment) ? null : f.Comment.Trim();
        var html = new StringBuilder()
            .Append(P($"{H(who)} answered <strong>{f.Score}</strong> ({H(f.Category)}){(surveyName is null ? "" : " to " + H(surveyName))}, and the follow-up is yours."))
            .Append(comment is null ? P("<em>No comment.</em>") : Quote(comment))
            .Append(P(H(due)))
            .Append(Button(link, "Open the response"))
            .Append(Small("You get this email because a follow-up was assigned to you. Turn these emails off in the dashboard: Settings, Email."));
        var text = $"{who} answered {f.Score} ({f.Category}){(surveyName is null ? "" : " to " + surveyName)}, and the follow-up is yours.\n\n"
            + (comment is null ? "No comment.\n" : $"\"{comment}\"\n")
            + $"\n{due}\n\nOpen the response: {link}\n\n"
            + "You get this email because a follow-up was assigned to you. Turn these emails off in the dashboard: Settings, Email.\n";
        return new OutgoingEmail(workspaceId, EmailKinds.FollowUpAssigned, f.AssigneeEmail!, subject, Page(subject, html.ToString()), text, f.AssigneeId);
    }

    /// <summary>The digest of a workspace for one member.</summary>
    public static (string Subject, string Html, string Text) Digest(DigestReport r, string dashboardUrl)
    {
        var period = r.Frequency == DigestFrequency.Daily ? "day" : "week";
        var subject = $"{r.WorkspaceName}: NPS {Number(r.Current.Nps)} this {period}";
        var html = new StringBuilder();
        var text = new StringBuilder();
        var range = $"{Local(r.From, r.Zone)} – {Local(r.To, r.Zone)} ({r.Zone.Id})";
        html.Append(P(H($"Your {r.Frequency} digest of {r.WorkspaceName}, {range}.")));
        text.Append(CultureInfo.InvariantCulture, $"Your {r.Frequency} digest of {r.WorkspaceName}, {range}.\n\n");

        var change = Change(r.Current.Nps, r.Previous.Nps);
        var rate = r.Current.ResponseRate is { } rr ? (rr * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "—";
        html.Append("<table role=\"presentation\" style=\"border-collapse:collapse;margin:8px 0 16px\"><tr>")
            .Append(Cell("NPS", Number(r.Current.Nps), change + $" vs the previous {period}"))
            .Append(Cell("Answers", r.Current.Responses.ToString(CultureInfo.InvariantCulture), $"{r.Previous.Responses.ToString(CultureInfo.InvariantCulture)} the previous {period}"))
            .Append(Cell("Response rate", rate, $"{r.Current.Displays.ToString(CultureInfo.InvariantCulture)} surveys shown"))
            .Append("</tr></table>");
        text.Append(CultureInfo.InvariantCulture, $"NPS {Number(r.Current.Nps)} ({change} vs the previous {period})\n")
            .Append(CultureInfo.InvariantCulture, $"Answers {r.Current.Responses} ({r.Previous.Responses} the previous {period})\n")
            .Append(CultureInfo.InvariantCulture, $"Response rate {rate} ({r.Current.Displays} surveys shown)\n\n");

        Section(html, text, $"New detractors ({r.DetractorCount.ToString(CultureInfo.InvariantCulture)})", r.Detractors,
            d => $"<strong>{d.Score}</strong> {H(d.Who)}{(d.Comment is null ? "" : ": " + "<q>" + H(d.Comment) + "</q>")} <a href=\"{H(dashboardUrl)}#/responses/{d.ResponseId.ToString(CultureInfo.InvariantCulture)}\">open</a>",
            d => $"{d.Score} {d.Who}{(d.Comment is null ? "" : ": \"" + d.Comment + "\"")} — {dashboardUrl}#/responses/{d.ResponseId.ToString(CultureInfo.InvariantCulture)}",
            "No new detractors.");
        Section(html, text, $"Overdue follow-ups ({r.OverdueCount.ToString(CultureInfo.InvariantCulture)})", r.Overdue,
            o => $"<strong>{o.Score}</strong> {H(o.Who)}, due {H(Local(o.DueAt, r.Zone))}{(o.Assignee is null ? ", unassigned" : ", " + H(o.Assignee))} <a href=\"{H(dashboardUrl)}#/responses/{o.ResponseId.ToString(CultureInfo.InvariantCulture)}\">open</a>",
            o => $"{o.Score} {o.Who}, due {Local(o.DueAt, r.Zone)}{(o.Assignee is null ? ", unassigned" : ", " + o.Assignee)} — {dashboardUrl}#/responses/{o.ResponseId.ToString(CultureInfo.InvariantCulture)}",
            "No overdue follow-ups.");
        Section(html, text, "Accounts whose health fell", r.HealthFell,
            a => $"{H(a.Name)}: {a.Before.ToString(CultureInfo.InvariantCulture)} → <strong>{a.After.ToString(CultureInfo.InvariantCulture)}</strong> ({H(a.Band)})",
            a => $"{a.Name}: {a.Before} -> {a.After} ({a.Band})",
            "No account's health fell.");

        html.Append(Button(dashboardUrl + "#/overview", "Open the dashboard"))
            .Append(Small("Change or turn off this digest in the dashboard: Settings, Email."));
        text.Append(CultureInfo.InvariantCulture, $"Open the dashboard: {dashboardUrl}#/overview\n\nChange or turn off this digest in the dashboard: Settings, Email.\n");
        return (subject, Page(subject, html.ToString()), text.ToString());
    }

    static void Section<T>(StringBuilder html, StringBuilder text, string title, IReadOnlyList<T> items, Func<T, string> htmlItem, Func<T, string> textItem, string none)
    {
        html.Append("<h2 style=\"font-size:16px;margin:20px 0 8px\">").Append(H(title)).Append("</h2>");
        text.Append(title).Append('\n');
        if (items.Count == 0)
        {
            html.Append(P(H(none)));
            text.Append(none).Append("\n\n");
            return;
        }
        html.Append("<ul style=\"padding-left:20px;margin:0\">");
        foreach (var item in items)
        {
            html.Append("<li style=\"margin:4px 0\">").Append(htmlItem(item)).Append("</li>");
            text.Append("- ").Append(textItem(item)).Append('\n');
        }
        html.Append("</ul>");
        text.Append('\n');
    }

    static string Number(double? nps) => nps is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "—";

    static string Change(double? now, double? before) => (now, before) switch
    {
        ({ } n, { } b) when n - b > 0 => "+" + (n - b).ToString("0.#", CultureInfo.InvariantCulture),
        ({ } n, { } b) => (n - b).ToString("0.#", CultureInfo.InvariantCulture),
        _ => "no comparison",
    };

    static string Local(long unixMs, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), zone).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture);

    static string P(string html) => $"<p style=\"margin:0 0 12px\">{html}</p>";

    static string Quote(string text) =>
        $"<blockquote style=\"margin:0 0 12px;padding:8px 12px;border-left:3px solid #5b5bd6;background:#f4f4fb\">{H(text)}</blockquote>";

    static string Small(string text) => $"<p style=\"margin:16px 0 0;font-size:12px;color:#555\">{H(text)}</p>";

    static string Cell(string label, string value, string note) =>
        $"<td style=\"padding:8px 16px 8px 0;vertical-align:top\"><div style=\"font-size:12px;color:#555\">{H(label)}</div>" +
        $"<div style=\"font-size:24px;font-weight:bold\">{H(value)}</div><div style=\"font-size:12px;color:#555\">{H(note)}</div></td>";

    static string Button(string url, string label) =>
        $"<p style=\"margin:16px 0\"><a href=\"{H(url)}\" style=\"display:inline-block;padding:10px 16px;background:#5b5bd6;color:#ffffff;text-decoration:none;border-radius:6px\">{H(label)}</a></p>";

    /// <summary>The HTML document around a body: inline styles only (mail clients drop style sheets), no script.</summary>
    static string Page(string title, string body) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">" +
        $"<title>{H(title)}</title></head><body style=\"margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5\">" +
        $"<main style=\"max-width:560px\"><h1 style=\"font-size:18px;margin:0 0 16px\">{H(title)}</h1>{body}</main></body></html>";
}

/// <summary>The kinds of email in the outbox (its <c>kind</c> column).</summary>
public static class EmailKinds
{
    public const string Invitation = "invitation";
    public const string PasswordReset = "password_reset";
    public const string FollowUpAssigned = "follow_up_assigned";
    public const string Digest = "digest";

    /// <summary>A survey sent by email (on demand or as the fallback of an ignored in-app survey).</summary>
    public const string Survey = "survey";
}
