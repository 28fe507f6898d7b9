using Microsoft.AspNetCore.Http.HttpResults;

namespace Pulse.Api.Operations;

/// <summary>
/// The problem+json answers of the API, as typed results a handler returns. Every problem has one
/// title per status (<see cref="Title"/>) and a <c>detail</c> that says what to do.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, detail);

    public static ProblemHttpResult Unauthorized(string detail) => Of(StatusCodes.Status401Unauthorized, detail);

    public static ProblemHttpResult Forbidden(string detail) => Of(StatusCodes.Status403Forbidden, detail);

    public static ProblemHttpResult NotFound(string detail) => Of(StatusCodes.Status404NotFound, detail);

    public static ProblemHttpResult Gone(string detail) => Of(StatusCodes.Status410Gone, detail);

    public static ProblemHttpResult Of(int status, string detail) => TypedResults.Problem(detail, statusCode: status, title: Title(status));

    /// <summary>The one title of each status, so clients can rely on it ("Not found", never "Not Found").</summary>
    public static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition failed",
        413 => "Request body too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service unavailable",
        507 => "Insufficient storage",
        >= 500 => "Internal error",
        _ => "Request refused",
    };

    /// <summary>
    /// What to do, for problems the framework raises without a detail (an unknown route, a wrong
    /// method, a missing key) and for validation problems whose fields say the rest.
    /// </summary>
    public static string DefaultDetail(int status, HttpContext context) => status switch
    {
        400 => "The request has invalid fields (see 'errors'); correct them and send it again. Nothing was changed.",
        401 => "Send 'Authorization: Bearer sk_…' with a secret key of your workspace.",
        403 => "This key may not do this; use a key of the workspace that owns the resource.",
        404 => $"There is nothing at {context.Request.Method} {context.Request.Path}; check the address against /openapi/v1.json.",
        405 => $"{context.Request.Path} does not accept {context.Request.Method}; check the method against /openapi/v1.json.",
        415 => $"The media type '{context.Request.ContentType}' is not accepted here; send the body as JSON with 'Content-Type: application/json' (UTF-8).",
        429 => "Too many requests; wait for the time in Retry-After and try again.",
        503 => "The server is busy; retry after the time in Retry-After.",
        >= 500 => "An unexpected error occurred; the server logged it. Try again, and report it if it persists.",
        _ => "The request was refused; see the status code.",
    };
}
