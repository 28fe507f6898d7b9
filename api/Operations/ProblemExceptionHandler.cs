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
sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
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
            BadHttpRequestException bad when bad.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
                (bad.StatusCode, "Bad request", ParameterFailure(bad.Message), null),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
            JsonException json => (400, "Malformed JSON", Describe(json), null),
            // System.Text.Json reads "\ud800" (an unpaired surrogate escape) but cannot turn it into text.
            InvalidOperationException text when text.Message.Contains("UTF-16", StringComparison.Ordinal) =>
                (400, "Malformed JSON", "A string contains an unpaired UTF-16 surrogate escape; send valid Unicode text.", null),
            WriteQueueFullException full => (503, "Busy", full.Message, null),
            _ when StorageHealth.IsFull(exception) => (507, "Insufficient storage",
                "The server's disk is full, so nothing was saved; try again after the time in Retry-After.", null),
            RateLimitedException limited => (429, "Too many requests", limited.Message, null),
            _ => (500, "Internal error", "An unexpected error occurred.", (IDictionary<string, object?>?)null),
        };
        if (status == 500)
            log.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
        if (status == 503)
            context.Response.Headers.RetryAfter = "1";
        if (status == 507)
            context.Response.Headers.RetryAfter = StorageFullException.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
        var token = json.InnerException is InvalidOperationException inner ? TokenMismatch().Match(inner.Message) : null;
        var convert = ConvertFailure().Match(message);
        if (token is { Success: true })
            message = $"expected {Article(token.Groups[2].Value)}, got {Token(token.Groups[1].Value)}.";
        else if (convert.Success)
            message = Expected(convert.Groups[1].Value) is { } expected ? $"expected {expected}." : "this field has another type.";
        return $"Invalid JSON at '{path}': {message}";
    }

    static string Article(string kind) => kind switch
    {
        "number" => "a number",
        "boolean" => "true or false",
        "string" => "a string",
        _ => kind,
    };

    static string Token(string tokenType) => tokenType switch
    {
        "String" or "PropertyName" => "a string",
        "Number" => "a number",
        "True" or "False" => "true/false",
        "StartObject" => "an object",
        "StartArray" => "an array",
        "Null" => "null",
        _ => tokenType,
    };

    /// <summary>"Failed to bind parameter "int limit" from "x"." → "Query parameter 'limit' has an invalid value 'x'."</summary>
    static string ParameterFailure(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "parameter \"[^\"]*? (\\w+)\" from \"(.*)\"");
        return m.Success
            ? $"Parameter '{m.Groups[1].Value}' has an invalid value '{m.Groups[2].Value}'."
            : "A parameter has an invalid value.";
    }

    /// <summary>What a JSON client should have sent, instead of a .NET type name; null when the name says nothing useful.</summary>
    static string? Expected(string typeName)
    {
        var type = typeName.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']');
        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" or "System.Byte" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date-time string such as 2026-01-02T00:00:00Z",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) => "an object",
            _ when type.Contains("List`1", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal)
                || type.Contains("IEnumerable", StringComparison.Ordinal) || type.Contains("Collection", StringComparison.Ordinal) => "an array",
            _ => null,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"token type '(\w+)' as an? (\w+)")]
    private static partial System.Text.RegularExpressions.Regex TokenMismatch();

    [System.Text.RegularExpressions.GeneratedRegex(@"could not be converted to ([^ ]+?)\.?$")]
    private static partial System.Text.RegularExpressions.Regex ConvertFailure();
}
