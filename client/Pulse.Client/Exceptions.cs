using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pulse.Client;

/// <summary>
/// Pulse could not do what was asked. Catch this one type where a survey must never break your
/// product's own page; <see cref="PulseApiException"/> and <see cref="PulseUnavailableException"/> say why.
/// </summary>
public abstract class PulseException : Exception
{
    /// <summary>An error with a message and the exception that caused it.</summary>
    protected PulseException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>
/// Pulse answered with an error status (4xx/5xx), after any retries of 429 and 503. Pulse's
/// problem+json answers fill <see cref="Title"/>, <see cref="Detail"/> and, for a 400, <see cref="Errors"/>.
/// </summary>
public sealed class PulseApiException : PulseException
{
    /// <summary>An error answer with the parts of its problem document.</summary>
    public PulseApiException(int status, string title, string? detail, IReadOnlyDictionary<string, string[]>? errors = null, TimeSpan? retryAfter = null)
        : base(Describe(status, title, detail, errors))
    {
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status code (400, 401, 403, 404, 410, 413, 429, 503, …).</summary>
    public int Status { get; }

    /// <summary><see cref="Status"/> as <see cref="HttpStatusCode"/>.</summary>
    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    /// <summary>The problem's title ("Unauthorized", "One or more validation errors occurred."), or the reason phrase.</summary>
    public string Title { get; }

    /// <summary>What to fix, in Pulse's words; null when the answer had no problem document.</summary>
    public string? Detail { get; }

    /// <summary>For a 400: the fields that are wrong (<c>user.id</c>, <c>score</c>, <c>user.traits.plan</c>) and why. Empty otherwise.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>How long Pulse asked to wait (<c>Retry-After</c> of a 429 or 503), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Reads an error answer: its problem+json document when there is one, its <c>Retry-After</c> header.</summary>
    internal static async Task<PulseApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = null;
        IReadOnlyDictionary<string, string[]>? errors = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                var problem = await JsonSerializerExtensions.ReadProblemAsync(response.Content, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    title = problem.Title ?? title;
                    detail = problem.Detail;
                    errors = problem.Errors;
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all (a proxy's error page, say): the status says enough.
            }
        }
        return new PulseApiException(status, title, detail, errors, RetryAfterOf(response.Headers.RetryAfter));
    }

    internal static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    static string Describe(int status, string title, string? detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        var message = $"Pulse answered {status} {title}";
        if (!string.IsNullOrEmpty(detail))
            message += ": " + detail;
        if (errors is { Count: > 0 })
            message += " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + ")";
        return message;
    }
}

/// <summary>
/// Pulse could not be reached or did not answer in time (connection refused, DNS, TLS, the
/// <see cref="PulseOptions.Timeout"/>, or a circuit opened by repeated failures). Nothing can be
/// said about whether the call took effect.
/// </summary>
public sealed class PulseUnavailableException : PulseException
{
    /// <summary>A transport failure, with the exception that reported it.</summary>
    public PulseUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
