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
        if (HasManagementUrl && !(Uri.TryCreate(ManagementUrl!.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)
                .Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"))
            yield return new ValidationResult(
                $"Operations:ManagementUrl '{ManagementUrl}' must be an http URL without a path, such as http://127.0.0.1:5081.",
                [nameof(ManagementUrl)]);
    }
}
