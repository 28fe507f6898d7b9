using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Pulse.Api.FollowUps;
using Pulse.Api.Privacy;
using Pulse.Api.Surveys;
using Pulse.Api.Team;
using Pulse.Api.Webhooks;

namespace Pulse.Api.Email;

/// <summary>
/// Queues email in the transaction of what caused it (see <see cref="Storage.IWriteHook"/>): the
/// email of a one-time link (invitation, password reset), and the email to the member a follow-up
/// was assigned to (unless they turned it off); withdraws an end user's survey emails when they opt
/// out and deletes them all when they are erased. Each message gets its Message-ID here, so every
/// attempt sends the same one. Without SMTP settings nothing is queued. Other features queue
/// their own messages through <see cref="Queue"/> (kind, headers such as List-Unsubscribe, locale).
/// </summary>
public sealed class EmailOutbox(IOptions<EmailOptions> options, TimeProvider time, [FromKeyedServices(EmailServices.Key)] WebhookSignal signal, EmailLinks links)
    : ILinkHook, IFollowUpHook, IPrivacyHook
{
    public bool Configured => options.Value.Configured;

    /// <summary>Queues <paramref name="email"/> in the caller's transaction; false when email is not configured or its dedupe key was queued already.</summary>
    public bool Queue(DbConnection c, DbTransaction tx, OutgoingEmail email)
    {
        if (!Configured)
            return false;
        if (!EmailStore.Enqueue(c, tx, email, NewMessageId(options.Value.Smtp.From!), time.GetUtcNow().ToUnixTimeMilliseconds()))
            return false;
        signal.Notify();
        return true;
    }

    public bool LinkCreated(DbConnection c, DbTransaction tx, LinkCreated link) => Queue(c, tx, EmailTemplates.Link(link));

    public void FollowUpAssigned(DbConnection c, DbTransaction tx, FollowUpWritten e)
    {
        var f = e.FollowUp;
        if (!Configured || f.AssigneeId is null || f.AssigneeEmail is null || !EmailStore.Preferences(c, tx, e.WorkspaceId, f.AssigneeId).FollowUpEmails)
            return;
        Queue(c, tx, EmailTemplates.FollowUpAssigned(e.WorkspaceId, f, SurveyStore.Name(c, tx, f.SurveyId), links.Dashboard));
    }

    /// <summary>An opted-out user gets no survey: their survey emails not sent yet are withdrawn.</summary>
    public void UserOptedOut(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        EmailStore.WithdrawSurveyEmails(c, tx, workspaceId, userId);

    /// <summary>An erased user leaves no message behind, sent or not.</summary>
    public void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        EmailStore.EraseUser(c, tx, workspaceId, userId);

    /// <summary>A Message-ID (without angle brackets) in the domain of the From address.</summary>
    public static string NewMessageId(string from)
    {
        var domain = MailboxAddress.TryParse(from, out var address) && address.Domain is { Length: > 0 } d ? d : "pulse.localhost";
        return MimeUtils.GenerateMessageId(domain);
    }
}

/// <summary>Where links in emails point: <c>Email:PublicUrl</c>, else <c>Authentication:PublicUrl</c>, <c>Webhooks:PublicUrl</c>, <c>http://localhost:5080</c>.</summary>
public sealed class EmailLinks(IOptions<EmailOptions> email, IOptions<TeamOptions> team, IOptions<WebhookOptions> webhooks)
{
    public string Base => (email.Value.PublicUrl ?? team.Value.PublicUrl ?? webhooks.Value.PublicUrl ?? "http://localhost:5080").TrimEnd('/');

    /// <summary>The dashboard: routes follow as fragments (<c>#/responses/42</c>).</summary>
    public string Dashboard => Base + "/dashboard";
}
