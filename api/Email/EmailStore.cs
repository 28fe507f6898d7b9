using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Email;

/// <summary>A message to queue: who it goes to, what it says (both parts), and why (kind, dedupe key).</summary>
public sealed record OutgoingEmail(
    string? WorkspaceId,
    string Kind,
    string Recipient,
    string Subject,
    string Html,
    string Text,
    string? MemberId = null,
    string Locale = "en",
    IReadOnlyDictionary<string, string>? Headers = null,
    string? DedupeKey = null,
    string? UserId = null);

/// <summary>A message the dispatcher is to send now.</summary>
public sealed class DueEmail
{
    public long Id { get; set; }
    public string MessageId { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";
    public string? Html { get; set; }
    public string? Text { get; set; }
    public string Headers { get; set; } = "{}";
    public long Attempts { get; set; }
}

/// <summary>One message of the delivery log (its bodies are not shown: they held one-time links).</summary>
public sealed class EmailLogRow
{
    public long Id { get; set; }
    public string MessageId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Status { get; set; } = "";
    public long Attempts { get; set; }
    public string? LastError { get; set; }
    public long? LastAttemptAt { get; set; }
    public long? NextAttemptAt { get; set; }
    public long? SentAt { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A member's email preferences in one workspace.</summary>
public sealed record EmailPreferences(bool FollowUpEmails, string Digest, int DigestDay, int DigestHour, string TimeZone)
{
    public static readonly EmailPreferences Defaults = new(true, DigestFrequency.Weekly, 1, 8, "UTC");
}

/// <summary>How often a member gets the digest.</summary>
public static class DigestFrequency
{
    public const string Off = "off";
    public const string Daily = "daily";
    public const string Weekly = "weekly";

    public static readonly IReadOnlyList<string> All = [Off, Daily, Weekly];
}

/// <summary>A member who gets a digest from a workspace, with their schedule.</summary>
public sealed class DigestSubscriber
{
    public string WorkspaceId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Name { get; set; }
    public string Digest { get; set; } = DigestFrequency.Weekly;
    public long DigestDay { get; set; }
    public long DigestHour { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public long? LastDigestSlot { get; set; }
    public long JoinedAt { get; set; }
}

/// <summary>
/// SQL for <c>email_outbox</c> (the queue and its delivery log) and <c>email_preferences</c>.
/// Writes take the writer's transaction; reads open their own connection.
/// </summary>
public sealed class EmailStore(Db db)
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Uncertain = "uncertain";

    public static readonly IReadOnlyList<string> Statuses = [Pending, Sending, Sent, Failed, Uncertain];

    const string Insert = """
        INSERT INTO email_outbox (workspace_id, message_id, kind, dedupe_key, member_id, user_id, recipient, locale, subject, html, text, headers,
                                  status, attempts, next_attempt_at, created_at)
        VALUES (@WorkspaceId, @MessageId, @Kind, @DedupeKey, @MemberId, @UserId, @Recipient, @Locale, @Subject, @Html, @Text, @Headers,
                'pending', 0, @Now, @Now)
        ON CONFLICT DO NOTHING
        """;

    const string SelectDue = """
        SELECT id AS Id, message_id AS MessageId, recipient AS Recipient, subject AS Subject, html AS Html, text AS Text, headers AS Headers, attempts AS Attempts
        FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= @Now
        ORDER BY next_attempt_at, id LIMIT @Limit
        """;

    // The sending instance leases the message (I1); on PostgreSQL a message another instance is claiming is skipped.
    const string Claim = """
        UPDATE email_outbox SET status = 'sending', attempts = attempts + 1, last_attempt_at = @Now, next_attempt_at = NULL,
            lease_owner = @Owner, lease_until = @Until
        WHERE id IN (SELECT id FROM email_outbox WHERE id = @Id AND status = 'pending' {0})
        """;

    const string MarkSent = """
        UPDATE email_outbox SET status = 'sent', sent_at = @Now, last_error = NULL, html = NULL, text = NULL, lease_owner = NULL, lease_until = NULL
        WHERE id = @Id AND status = 'sending'
        """;

    const string MarkFailedAttempt = """
        UPDATE email_outbox SET status = @Status, next_attempt_at = @NextAttemptAt, last_error = @Error, lease_owner = NULL, lease_until = NULL
        WHERE id = @Id AND status = 'sending'
        """;

    const string SelectAttempts = "SELECT attempts FROM email_outbox WHERE id = @Id";

    const string Interrupted = """
        UPDATE email_outbox SET status = 'uncertain',
            last_error = 'Pulse stopped while sending this message, so it may have been sent; it is not sent again by itself (retry it to send it again).'
        WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= @Expired)
        """;

    const string Retry = """
        UPDATE email_outbox SET status = 'pending', next_attempt_at = @Now
        WHERE workspace_id = @WorkspaceId AND id = @Id AND status IN ('failed', 'uncertain') AND html IS NOT NULL
        """;

    const string LogColumns = """
        id AS Id, message_id AS MessageId, kind AS Kind, recipient AS Recipient, subject AS Subject, status AS Status, attempts AS Attempts,
        last_error AS LastError, last_attempt_at AS LastAttemptAt, next_attempt_at AS NextAttemptAt, sent_at AS SentAt, created_at AS CreatedAt
        """;

    const string SelectLog = $"""
        SELECT {LogColumns} FROM email_outbox
        WHERE workspace_id = @WorkspaceId AND id < @Before AND (@Status IS NULL OR status = @Status)
        ORDER BY id DESC LIMIT @Limit
        """;

    const string SelectOne = $"SELECT {LogColumns} FROM email_outbox WHERE workspace_id = @WorkspaceId AND id = @Id";

    const string Prune = "DELETE FROM email_outbox WHERE status IN ('sent', 'failed') AND created_at < @Before";

    const string SelectPreferences = """
        SELECT follow_up_emails AS FollowUpEmails, digest AS Digest, digest_day AS DigestDay, digest_hour AS DigestHour, time_zone AS TimeZone
        FROM email_preferences WHERE workspace_id = @WorkspaceId AND member_id = @MemberId
        """;

    const string UpsertPreferences = """
        INSERT INTO email_preferences (workspace_id, member_id, follow_up_emails, digest, digest_day, digest_hour, time_zone, last_digest_slot, updated_at)
        VALUES (@WorkspaceId, @MemberId, CAST(@FollowUpEmails AS INTEGER), @Digest, @DigestDay, @DigestHour, @TimeZone, @LastDigestSlot, @Now)
        ON CONFLICT (workspace_id, member_id) DO UPDATE SET follow_up_emails = excluded.follow_up_emails, digest = excluded.digest,
            digest_day = excluded.digest_day, digest_hour = excluded.digest_hour, time_zone = excluded.time_zone,
            last_digest_slot = excluded.last_digest_slot, updated_at = excluded.updated_at
        """;

    const string MarkDigest = """
        INSERT INTO email_preferences (workspace_id, member_id, last_digest_slot, updated_at) VALUES (@WorkspaceId, @MemberId, @Slot, @Now)
        ON CONFLICT (workspace_id, member_id) DO UPDATE SET last_digest_slot = excluded.last_digest_slot
        """;

    // Every member of every workspace whose digest is not off (no row: the defaults of the migration).
    const string SelectSubscribers = """
        SELECT wm.workspace_id AS WorkspaceId, wm.member_id AS MemberId, m.email AS Email, m.name AS Name,
               COALESCE(p.digest, 'weekly') AS Digest, COALESCE(p.digest_day, 1) AS DigestDay, COALESCE(p.digest_hour, 8) AS DigestHour,
               COALESCE(p.time_zone, 'UTC') AS TimeZone, p.last_digest_slot AS LastDigestSlot, wm.created_at AS JoinedAt
        FROM workspace_members wm
        JOIN members m ON m.id = wm.member_id
        LEFT JOIN email_preferences p ON p.workspace_id = wm.workspace_id AND p.member_id = wm.member_id
        WHERE COALESCE(p.digest, 'weekly') <> 'off'
        ORDER BY wm.workspace_id, wm.member_id
        """;

    /// <summary>Queues a message in the caller's transaction; false when its dedupe key was queued already.</summary>
    public static bool Enqueue(DbConnection c, DbTransaction tx, OutgoingEmail email, string messageId, long now) =>
        c.Execute(Insert, new
        {
            email.WorkspaceId,
            MessageId = messageId,
            email.Kind,
            email.DedupeKey,
            email.MemberId,
            email.UserId,
            email.Recipient,
            email.Locale,
            email.Subject,
            email.Html,
            email.Text,
            Headers = System.Text.Json.JsonSerializer.Serialize(email.Headers ?? new Dictionary<string, string>()),
            Now = now,
        }, tx) == 1;

    // Survey emails to an end user (migration 0141): those not sent are withdrawn when they opt out or
    // unsubscribe — also one in the middle of an attempt (the dispatcher's update then finds no row, so
    // a failed attempt is not retried) and failed or uncertain ones (no retry by hand either); every one
    // goes when they are erased (the address is personal data, even once sent).
    const string DeletePendingSurveyEmails = $"""
        DELETE FROM email_outbox
        WHERE workspace_id = @WorkspaceId AND user_id = @UserId AND kind = '{EmailKinds.Survey}' AND status <> '{Sent}'
        """;

    const string DeleteOfUser = "DELETE FROM email_outbox WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    /// <summary>Withdraws the user's survey emails not sent (one whose attempt is under way is sent only if that attempt succeeds); how many went.</summary>
    public static int WithdrawSurveyEmails(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(DeletePendingSurveyEmails, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    /// <summary>Deletes every message to the end user, whatever its state (erasure).</summary>
    public static int EraseUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(DeleteOfUser, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    public IReadOnlyList<DueEmail> Due(long now, int limit)
    {
        using var c = db.Open();
        return c.Query<DueEmail>(SelectDue, new { Now = now, Limit = limit }).ToList();
    }

    static readonly string[] ClaimTexts = [string.Format(System.Globalization.CultureInfo.InvariantCulture, Claim, SqlDialect.Sqlite.SkipLocked),
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Claim, SqlDialect.Postgres.SkipLocked)];

    /// <summary>
    /// Moves a pending message to <c>sending</c> (committed before the first byte goes out), leased to <paramref name="owner"/>
    /// until <paramref name="until"/>; false when it is not pending any more (sent, or another instance is sending it).
    /// </summary>
    public static bool StartSending(DbConnection c, DbTransaction tx, long id, long now, string owner, long until) =>
        c.Execute(ClaimTexts[c is SqliteConnection ? 0 : 1], new { Id = id, Now = now, Owner = owner, Until = until }, tx) == 1;

    public static void RecordSent(DbConnection c, DbTransaction tx, long id, long now) =>
        c.Execute(MarkSent, new { Id = id, Now = now }, tx);

    /// <summary>A failed attempt: pending again after <paramref name="delay"/>, or failed after the last attempt. Returns the new status.</summary>
    public static string RecordFailure(DbConnection c, DbTransaction tx, long id, string error, long now, int maxAttempts, Func<int, TimeSpan> delay)
    {
        var attempts = (int)c.ExecuteScalar<long>(SelectAttempts, new { Id = id }, tx);
        var status = attempts >= maxAttempts ? Failed : Pending;
        long? next = status == Pending ? now + (long)delay(attempts).TotalMilliseconds : null;
        c.Execute(MarkFailedAttempt, new { Id = id, Status = status, NextAttemptAt = next, Error = error }, tx);
        return status;
    }

    /// <summary>
    /// Messages left in <c>sending</c> by a process that died mid-send become <c>uncertain</c>: on SQLite at start-up, all of
    /// them (<paramref name="expired"/> = <see cref="long.MaxValue"/>; one process per file); on PostgreSQL, those whose lease
    /// expired by <paramref name="expired"/> (another instance may be sending the rest).
    /// </summary>
    public static int MarkInterrupted(DbConnection c, DbTransaction tx, long expired = long.MaxValue) =>
        c.Execute(Interrupted, new { Expired = expired }, tx);

    /// <summary>Sends a failed or uncertain message again (same Message-ID); false when there is none such, or it was sent (its body is gone).</summary>
    public static bool RetryMessage(DbConnection c, DbTransaction tx, string workspaceId, long id, long now) =>
        c.Execute(Retry, new { WorkspaceId = workspaceId, Id = id, Now = now }, tx) == 1;

    public IReadOnlyList<EmailLogRow> Log(string workspaceId, string? status, long before, int limit)
    {
        using var c = db.Open();
        return c.Query<EmailLogRow>(SelectLog, new { WorkspaceId = workspaceId, Status = status, Before = before, Limit = limit }).ToList();
    }

    public static EmailLogRow? Find(DbConnection c, DbTransaction? tx, string workspaceId, long id) =>
        c.QuerySingleOrDefault<EmailLogRow>(SelectOne, new { WorkspaceId = workspaceId, Id = id }, tx);

    public static int PruneBefore(DbConnection c, DbTransaction tx, long before) => c.Execute(Prune, new { Before = before }, tx);

    public static EmailPreferences Preferences(DbConnection c, DbTransaction? tx, string workspaceId, string memberId) =>
        c.QuerySingleOrDefault<PreferencesRow>(SelectPreferences, new { WorkspaceId = workspaceId, MemberId = memberId }, tx)?.ToPreferences()
        ?? EmailPreferences.Defaults;

    public EmailPreferences Preferences(string workspaceId, string memberId)
    {
        using var c = db.Open();
        return Preferences(c, null, workspaceId, memberId);
    }

    /// <summary>Saves a member's preferences; <paramref name="lastSlot"/> is the digest slot already passed under them (none is sent for it).</summary>
    public static void SavePreferences(DbConnection c, DbTransaction tx, string workspaceId, string memberId, EmailPreferences p, long? lastSlot, long now) =>
        c.Execute(UpsertPreferences, new
        {
            WorkspaceId = workspaceId,
            MemberId = memberId,
            FollowUpEmails = p.FollowUpEmails ? 1 : 0,
            p.Digest,
            p.DigestDay,
            p.DigestHour,
            p.TimeZone,
            LastDigestSlot = lastSlot,
            Now = now,
        }, tx);

    public static void DigestQueued(DbConnection c, DbTransaction tx, string workspaceId, string memberId, long slot, long now) =>
        c.Execute(MarkDigest, new { WorkspaceId = workspaceId, MemberId = memberId, Slot = slot, Now = now }, tx);

    public IReadOnlyList<DigestSubscriber> Subscribers()
    {
        using var c = db.Open();
        return c.Query<DigestSubscriber>(SelectSubscribers).ToList();
    }

    sealed class PreferencesRow
    {
        public long FollowUpEmails { get; set; }
        public string Digest { get; set; } = DigestFrequency.Weekly;
        public long DigestDay { get; set; }
        public long DigestHour { get; set; }
        public string TimeZone { get; set; } = "UTC";

        public EmailPreferences ToPreferences() => new(FollowUpEmails != 0, Digest, (int)DigestDay, (int)DigestHour, TimeZone);
    }
}
