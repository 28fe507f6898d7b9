using Microsoft.AspNetCore.Diagnostics;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>
/// The one path for what is truly exceptional: a full write queue or an unreachable database (503), a rate limit reached inside
/// a handler (429), and a request the framework could not read (<see cref="BadHttpRequestException"/>:
/// a body over its limit is 413, anything else 400). Client errors a handler can foresee are typed
/// results in its signature (<see cref="Problems"/>), and JSON bodies are explained by
/// <see cref="JsonBodies"/>. Failures are recognised by exception type and status code, never by
/// message text. Anything else is a bug: logged, and a bare 500.
/// </summary>
sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = exception switch
        {
            BodyTooLargeException tooLarge => (413, tooLarge.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, TooLarge(context)),
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read (its body, headers or parameters); compare it with /openapi/v1.json."),
            WriteQueueFullException full => (503, full.Message),
            _ when StorageHealth.IsFull(exception) => (507, "The server's disk is full, so nothing was saved; try again after the time in Retry-After."),
            RateLimitedException limited => (429, limited.Message),
            _ when StorageHealth.IsUnavailable(exception) => (503, "The database is unavailable; try again shortly."),
            _ => (500, Problems.DefaultDetail(500, context)),
        };
        if (status == 503 && StorageHealth.IsUnavailable(exception))
        {
            log.LogWarning("The database is unavailable for {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, exception.GetBaseException().Message);
            context.RequestServices.GetRequiredService<Db>().ConnectionLost();
        }
        if (status == 500)
            log.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
        if (status == 503)
            context.Response.Headers.RetryAfter = "1";
        if (status == 507)
            context.Response.Headers.RetryAfter = StorageFullException.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (exception is RateLimitedException { RetryAfter: var retryAfter })
            context.Response.Headers.RetryAfter = RateLimitedException.Seconds(retryAfter);

        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    static string TooLarge(HttpContext context) =>
        context.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<BodyLimit>() is { } limit
            ? $"This endpoint accepts a body of at most {limit.Bytes} bytes; send a smaller one."
            : "The request body is too large; send a smaller one.";
}
