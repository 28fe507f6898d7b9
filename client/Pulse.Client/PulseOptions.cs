using Microsoft.Extensions.Options;

namespace Pulse.Client;

/// <summary>
/// Where Pulse is and the workspace's keys: the configuration section <c>Pulse</c>
/// (<c>Pulse:BaseUrl</c>, <c>Pulse:SiteKey</c>, <c>Pulse:SecretKey</c>, <c>Pulse:IdentitySecret</c>).
/// Validated when the host starts: a bad value stops it with a message naming the setting.
/// </summary>
public sealed class PulseOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "Pulse";

    /// <summary>The address Pulse is served at, e.g. <c>https://pulse.example.com</c> (a path prefix is kept).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The workspace's public site key <c>pk_…</c>: it goes into pages (the snippet). Optional for server-only use.</summary>
    public string? SiteKey { get; set; }

    /// <summary>The secret key <c>sk_…</c>: server only, never in a page. Needed for eligibility, opt-outs, erasure and metrics.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The identity secret that signs user ids (<see cref="UserHash"/>): server only. Needed by the snippet when the workspace requires <c>userHash</c>.</summary>
    public string? IdentitySecret { get; set; }

    /// <summary>Longest time one call may take, retries and their waits included (default 30 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a 429 or 503 answer (default 3; 0 turns retries off).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Longest <c>Retry-After</c> the client waits for before a retry (default 5 seconds). A longer
    /// one is not waited for: the call fails at once with <see cref="PulseApiException.RetryAfter"/> set.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The base address with a trailing slash, so relative paths keep a path prefix.</summary>
    internal Uri BaseAddress => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/", UriKind.Absolute);
}

/// <summary>Checks <see cref="PulseOptions"/> at start-up, naming the setting that is wrong.</summary>
internal sealed class PulseOptionsValidator : IValidateOptions<PulseOptions>
{
    public ValidateOptionsResult Validate(string? name, PulseOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
            errors.Add("Pulse:BaseUrl is required: the address Pulse is served at, e.g. https://pulse.example.com.");
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            errors.Add($"Pulse:BaseUrl '{options.BaseUrl}' must be an absolute http(s) URL without query, fragment or user info.");
        if (string.IsNullOrEmpty(options.SiteKey) && string.IsNullOrEmpty(options.SecretKey))
            errors.Add("Set Pulse:SiteKey (pk_…, for the snippet) or Pulse:SecretKey (sk_…, for server calls), or both.");
        if (!string.IsNullOrEmpty(options.SiteKey) && !options.SiteKey.StartsWith("pk_", StringComparison.Ordinal))
            errors.Add("Pulse:SiteKey must be the workspace's site key, which starts with pk_.");
        if (!string.IsNullOrEmpty(options.SecretKey) && !options.SecretKey.StartsWith("sk_", StringComparison.Ordinal))
            errors.Add("Pulse:SecretKey must be a secret key of the workspace, which starts with sk_.");
        if (options.IdentitySecret is { Length: 0 })
            errors.Add("Pulse:IdentitySecret is empty: leave it out, or set the workspace's identity secret.");
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
            errors.Add($"Pulse:Timeout must be more than 0 and at most 10 minutes (was {options.Timeout}).");
        if (options.MaxRetries is < 0 or > 10)
            errors.Add($"Pulse:MaxRetries must be 0 to 10 (was {options.MaxRetries}).");
        if (options.MaxRetryAfter < TimeSpan.Zero || options.MaxRetryAfter > options.Timeout)
            errors.Add($"Pulse:MaxRetryAfter must be 0 to Pulse:Timeout (was {options.MaxRetryAfter}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
