using System.ComponentModel.DataAnnotations;

namespace Pulse.Api.Email;

/// <summary>Settings of email to the team (section <c>Email</c>); no <c>Email:Smtp:Host</c>: email is off.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// The public base URL of the dashboard in emails (e.g. <c>https://pulse.acme.com</c>). Null:
    /// <c>Authentication:PublicUrl</c>, then <c>Webhooks:PublicUrl</c>, then <c>http://localhost:5080</c>.
    /// </summary>
    [Url]
    public string? PublicUrl { get; set; }

    /// <summary>Attempts per message before it is marked failed (the first one included).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; each later wait doubles (±20 % jitter). 1 min over 8 attempts spans ~2 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often (real time) the dispatcher looks for due messages when nothing wakes it, and the digest scheduler for due digests.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often (real time) Pulse looks for members whose digest is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan DigestCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often (real time) Pulse looks for ignored in-app surveys whose email fallback is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FallbackCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Several instances on PostgreSQL: a message an instance is sending is its own for three <see cref="Timeout"/>s
    /// (the longest conversation) plus this margin; a message whose instance died is marked uncertain once it has expired.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one SMTP conversation step (connect, authenticate, send).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent and failed messages older than this are deleted from the log.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Whether SMTP is set up: a host and a From address. Without both nothing is queued or sent.</summary>
    public bool Configured => !string.IsNullOrWhiteSpace(Smtp.Host) && !string.IsNullOrWhiteSpace(Smtp.From);
}

/// <summary>The SMTP server Pulse sends through (section <c>Email:Smtp</c>).</summary>
public sealed class SmtpOptions
{
    /// <summary>Bound as part of <see cref="EmailOptions"/>; named here so each key has its full name.</summary>
    public const string Section = "Email:Smtp";

    /// <summary>The server's host name; null or empty: email is not configured.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>Sign in with these when set; otherwise no authentication.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Upgrade the connection with STARTTLS (required when on). Off: plain SMTP, or TLS from the start on port 465.</summary>
    public bool UseStartTls { get; set; } = true;

    /// <summary>The sender, e.g. <c>Pulse &lt;pulse@acme.com&gt;</c>.</summary>
    public string? From { get; set; }
}
