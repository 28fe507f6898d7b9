using System.ComponentModel.DataAnnotations;

namespace Pulse.Api.Operations;

/// <summary>Health, overload and telemetry settings (section <c>Operations</c>).</summary>
public sealed class OperationsOptions : IValidatableObject
{
    public const string Section = "Operations";

    /// <summary>
    /// <c>http://host:port</c> of a second listener that serves only <c>/healthz</c>, <c>/readyz</c> and
    /// <c>/metrics</c>, apart from the public traffic; empty: health is served on the main address
    /// and there is no scrape endpoint.
    /// </summary>
    public string? ManagementUrl { get; set; }

    /// <summary>Requests the main listener works on at once; more wait in the queue below or get 503 (0 = no limit).</summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrentRequests { get; set; } = 256;

    /// <summary>Requests that may wait for one of those places; past it, 503 with Retry-After at once.</summary>
    [Range(0, 1_000_000)]
    public int RequestQueueLimit { get; set; } = 256;

    /// <summary>Open connections the main listener accepts (0 = no limit); the management listener is not counted.</summary>
    [Range(0, 10_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    public bool HasManagementUrl => !string.IsNullOrWhiteSpace(ManagementUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HasManagementUrl && ParseManagementUrl(ManagementUrl!) is null)
            yield return new ValidationResult(
                $"Operations:ManagementUrl '{ManagementUrl}' must be http://<address>:<port> with an IP address, localhost or * " +
                "(all addresses), and no path, such as http://127.0.0.1:5081.",
                [nameof(ManagementUrl)]);
    }

    /// <summary>
    /// The socket address of a management URL: an IP literal, <c>localhost</c> (127.0.0.1) or <c>*</c> / <c>+</c>
    /// (every address, IPv4 and IPv6); null when it is not one of those.
    /// </summary>
    public static System.Net.IPEndPoint? ParseManagementUrl(string url)
    {
        var normalized = url.Trim().Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/"
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            return null;
        System.Net.IPAddress? address = uri.Host switch
        {
            "wildcard" => System.Net.IPAddress.IPv6Any,
            "localhost" => System.Net.IPAddress.Loopback,
            _ => System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null,
        };
        return address is null ? null : new System.Net.IPEndPoint(address, uri.Port);
    }
}
