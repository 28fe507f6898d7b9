using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>Thrown by handlers and filters for a client error that should reach the caller as problem+json.</summary>
public sealed class ProblemException(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;
}

/// <summary>
/// Turns the exceptions a client can cause (bad JSON, a body too large, a full write queue, a rate limit) into
/// problem+json 4xx/503 answers with a useful detail. Anything else is a bug: logged, and a bare 500.
/// </summary>
sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, extensions) = exception switch
        {
            ProblemException p => (p.Status, p.Title, p.Detail, p.Extensions),
            BadHttpRequestException { InnerException: JsonException json } => (400, "Malformed JSON", Describe(json), null),
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (413, "Request body too large", bad.Message, null),
            BadHttpRequestException bad when bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal) =>
                (bad.StatusCode, "Bad request", "A JSON object is required as the request body.", null),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
            JsonException json => (400, "Malformed JSON", Describe(json), null),
            WriteQueueFullException full => (503, "Busy", full.Message, null),
            RateLimitedException limited => (429, "Too many requests", limited.Message, null),
            _ => (500, "Internal error", "An unexpected error occurred.", (IDictionary<string, object?>?)null),
        };
        if (status == 500)
            log.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
        if (status == 503)
            context.Response.Headers.RetryAfter = "1";
        if (exception is RateLimitedException { RetryAfter: var retryAfter })
            context.Response.Headers.RetryAfter = RateLimitedException.Seconds(retryAfter);

        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (extensions is not null)
            foreach (var (key, value) in extensions)
                problem.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Names the field: "The JSON value at $.user.traits could not be read: …".</summary>
    static string Describe(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        return $"Invalid JSON at '{path}': {message}";
    }
}
