using System.ComponentModel.DataAnnotations;

namespace Pulse.Api.Webhooks;

/// <summary>Settings of webhook delivery (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Admit http URLs and loopback/private targets. Off by default (SSRF guard); on in
    /// Development and tests, which deliver to receivers on this machine.
    /// </summary>
    public bool AllowInsecureTargets { get; set; }

    /// <summary>Attempts per delivery before it is marked failed (the first one included).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 11;

    /// <summary>Wait after the first failed attempt; each later wait doubles (±20 % jitter). 90 s over 11 attempts spans ~25.6 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Whole-request timeout of one attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Several instances on PostgreSQL: an instance holds each delivery it sends for <see cref="Timeout"/> plus this
    /// margin (its lease); a delivery whose instance died is sent by another once the lease has expired.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often (real time) the dispatcher looks for due deliveries when nothing wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts in flight at once, over all endpoints.</summary>
    [Range(1, 1000)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Attempts in flight at once to one subscription, so a slow endpoint cannot take every slot.</summary>
    [Range(1, 100)]
    public int MaxConcurrencyPerEndpoint { get; set; } = 2;

    /// <summary>How long the old secret keeps signing (beside the new one) after a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan SecretRotationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Delivered and failed deliveries (and their events) older than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Subscriptions one workspace may have: each one multiplies every answer into one more delivery. One more is 409.</summary>
    [Range(1, 1000)]
    public int MaxPerWorkspace { get; set; } = 20;

    /// <summary>
    /// How long a new answer without a comment waits for its comment: a comment (or another edit)
    /// within the window folds into the one <c>response.created</c> event, sent when the comment
    /// arrives or the window ends; a change after it sends <c>response.updated</c>. Zero sends at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MergeWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The public base URL of this Pulse server (e.g. <c>https://pulse.acme.com</c>) for links in
    /// Slack messages. Null: the origin the subscription was created through.
    /// </summary>
    [Url]
    public string? PublicUrl { get; set; }
}
