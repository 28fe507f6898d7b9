using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Pulse.Api.Operations;

/// <summary>
/// The one place where JSON request bodies are checked before and after the framework binds them:
/// a media type other than JSON or a charset other than UTF-8 is refused with 415 (the framework
/// would try to transcode and fail with a 500), the body is buffered so that a JSON error can be
/// explained, and a <see cref="JsonException"/> thrown while binding becomes a 400 that names the
/// field and says what was expected. The failure is recognised by type, never by message text.
/// </summary>
public static class JsonBodies
{
    /// <summary>Applies to endpoints that accept a JSON body; must run after routing and body limits.</summary>
    public static IApplicationBuilder UseJsonBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        var accepts = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts?.RequestType is not { } bodyType)
        {
            await next(context);
            return;
        }
        if (Refusal(context.Request) is { } refusal)
        {
            await Problems.Of(StatusCodes.Status415UnsupportedMediaType, refusal).ExecuteAsync(context);
            return;
        }
        // The endpoint reads and explains its body itself (ReadAsync below): nothing to buffer or catch here.
        if (endpoint!.Metadata.GetMetadata<ReadsOwnJsonBody>() is not null)
        {
            await next(context);
            return;
        }
        var limit = endpoint.Metadata.GetMetadata<BodyLimit>()?.Bytes ?? 64 * 1024;
        context.Request.EnableBuffering(bufferThreshold: (int)Math.Min(limit, 1024 * 1024));
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException bad) when (bad.InnerException is JsonException json && !context.Response.HasStarted)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var body = await ReadBackAsync(context.Request, limit);
            await Problems.BadRequest(JsonErrors.Describe(json, options.GetTypeInfo(bodyType), body)).ExecuteAsync(context);
        }
    });

    /// <summary>Why the body's Content-Type is refused (415), or null when it is JSON in UTF-8 (a quoted charset is unquoted).</summary>
    internal static string? Refusal(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
            return HasBody(request) ? "The request has a body but no Content-Type; send it with 'Content-Type: application/json'." : null;
        var parts = contentType.Split(';');
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? parameter : parameter[..eq]).Trim();
            if (!name.Equals("charset", StringComparison.OrdinalIgnoreCase))
                continue;
            var raw = eq < 0 ? "" : parameter[(eq + 1)..].Trim();
            var charset = HeaderUtilities.RemoveQuotes(raw).ToString();
            if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
                return $"The charset '{charset}' is not supported; send the body in UTF-8 ('Content-Type: application/json; charset=utf-8', or no charset).";
            // charset="utf-8" is valid HTTP, but the framework looks the quoted name up as is.
            if (raw != charset)
                request.ContentType = $"{parts[0].Trim()}; charset=utf-8";
        }
        var mediaType = parts[0].Trim();
        var json = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        return json
            ? null
            : $"The media type '{mediaType}' is not accepted here; send the body as JSON with 'Content-Type: application/json'.";
    }

    /// <summary>
    /// Reads a JSON body on a hot path (decision H14): the whole body into one pooled buffer — for a small body
    /// that is already received, without leaving the calling thread — then the contract of <typeparamref name="T"/>
    /// from the API's JSON options over it. Null for an empty body or <c>null</c>; a JSON error becomes the same 400
    /// that <see cref="UseJsonBodies"/> writes for the framework's binding. The endpoint carries
    /// <see cref="ReadsOwnJsonBody"/> (so the middleware only checks the media type) and its body limit, which the
    /// body stream enforces as it is read.
    /// </summary>
    public static async ValueTask<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> contract, long limit)
        where T : class
    {
        var declared = request.ContentLength;
        if (declared == 0)
            return (null, null);
        // One byte more than declared: the read that returns 0 (the end) then needs no larger buffer.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp((declared ?? 4095) + 1, 1, limit + 1));
        try
        {
            var read = 0;
            while (true)
            {
                if (read == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var n = await request.Body.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted);
                if (n == 0)
                    break;
                read += n;
                if (read > limit)
                    throw new BodyTooLargeException(limit);
            }
            if (read == 0)
                return (null, null);
            try
            {
                return (JsonSerializer.Deserialize(buffer.AsSpan(0, read), contract), null);
            }
            catch (JsonException json)
            {
                return (null, JsonErrors.Describe(json, contract, buffer.AsSpan(0, read).ToArray()));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    /// <summary>The buffered body, read again from its start to explain a JSON error; null when it cannot be.</summary>
    static async Task<byte[]?> ReadBackAsync(HttpRequest request, long limit)
    {
        try
        {
            if (!request.Body.CanSeek)
                return null;
            request.Body.Position = 0;
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
            return copy.Length <= limit ? copy.ToArray() : null;
        }
        catch (Exception e) when (e is IOException or BodyTooLargeException or OperationCanceledException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>
/// The contract of <typeparamref name="T"/> under the API's JSON options — the one the framework binds bodies with —
/// for handlers that read their own body (<see cref="JsonBodies.ReadAsync"/>). A singleton (open generic).
/// </summary>
public sealed class JsonContract<T>(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> options)
{
    public JsonTypeInfo<T> Value { get; } = (JsonTypeInfo<T>)options.Value.SerializerOptions.GetTypeInfo(typeof(T));
}

/// <summary>Endpoint metadata: the handler reads its JSON body with <see cref="JsonBodies.ReadAsync"/>.</summary>
public sealed class ReadsOwnJsonBody
{
    public static readonly ReadsOwnJsonBody Instance = new();
}

/// <summary>
/// Explains a <see cref="JsonException"/> from the contract of the type being read (what the field
/// at the exception's path expects) and from the body itself (what was sent there). No message
/// text of the serializer is parsed, and no .NET type name reaches the client.
/// </summary>
public static class JsonErrors
{
    public static string Describe(JsonException json, JsonTypeInfo root, byte[]? body)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        if (json.InnerException is JsonException)
            return $"Invalid JSON at '{path}': the body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}); " +
                   "check for a missing comma, quote or bracket.";

        var segments = Segments(path);
        var (parent, field) = Walk(root, segments);
        var sent = body is null ? null : Find(body, segments, parent);
        if (field is null && parent is { Kind: JsonTypeInfoKind.Object } && segments.Count > 0 && segments[^1].Name is { } unknown)
            return $"Unknown field '{path}': '{unknown}' is not a field here. Known: {string.Join(", ", parent.Properties.Select(p => p.Name))}.";
        if (sent is { Count: > 1 })
            return $"The field '{path}' appears more than once; send each field once.";
        if (field is null)
            return $"Invalid JSON at '{path}'; compare the body with the schema in /openapi/v1.json.";
        var expected = Expected(field, root.Options);
        var got = sent is { Count: 1 } ? Got(sent.Value.Value) : null;
        if (got == "a string" && expected == "a string")
            return $"Invalid JSON at '{path}': the string contains an unpaired UTF-16 surrogate escape; send valid Unicode text.";
        return $"Invalid JSON at '{path}': expected {expected}" + (got is null ? "." : $", got {got}.");
    }

    readonly record struct Segment(string? Name, int? Index);

    /// <summary>"$.targeting[0]['a b']" → targeting, 0, "a b".</summary>
    static List<Segment> Segments(string path)
    {
        var result = new List<Segment>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                    end++;
                result.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    break;
                result.Add(new Segment(path[(i + 2)..end].Replace("\\'", "'", StringComparison.Ordinal), null));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index))
                    break;
                result.Add(new Segment(null, index));
                i = end + 1;
            }
            else
            {
                break;
            }
        }
        return result;
    }

    /// <summary>The contract that holds the last segment, and the type the last segment has (null when unknown there).</summary>
    static (JsonTypeInfo? Parent, Type? Field) Walk(JsonTypeInfo root, List<Segment> segments)
    {
        if (segments.Count == 0)
            return (null, root.Type);
        JsonTypeInfo? current = root;
        for (var i = 0; i < segments.Count; i++)
        {
            if (current is null)
                return (null, null);
            Type? next = current.Kind switch
            {
                JsonTypeInfoKind.Object when segments[i].Name is { } name => current.Properties
                    .FirstOrDefault(p => string.Equals(p.Name, name, current.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                    ?.PropertyType,
                JsonTypeInfoKind.Dictionary when segments[i].Name is not null => current.ElementType,
                JsonTypeInfoKind.Enumerable when segments[i].Index is not null => current.ElementType,
                _ => null,
            };
            if (i == segments.Count - 1)
                return (current, next);
            current = next is null ? null : current.Options.GetTypeInfo(Nullable.GetUnderlyingType(next) ?? next);
        }
        return (null, null);
    }

    /// <summary>The values sent under the last segment (several when the key is repeated).</summary>
    static (int Count, JsonElement Value)? Find(byte[] body, List<Segment> segments, JsonTypeInfo? parent)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var element = document.RootElement;
            for (var i = 0; i < segments.Count; i++)
            {
                var last = i == segments.Count - 1;
                if (segments[i].Index is { } index)
                {
                    if (element.ValueKind != JsonValueKind.Array || index >= element.GetArrayLength())
                        return null;
                    element = element[index];
                    if (last)
                        return (1, element.Clone());
                    continue;
                }
                if (element.ValueKind != JsonValueKind.Object)
                    return null;
                var comparison = parent is { Kind: JsonTypeInfoKind.Object } && parent.Options.PropertyNameCaseInsensitive && last
                    ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var matches = element.EnumerateObject().Where(p => string.Equals(p.Name, segments[i].Name, comparison)).ToList();
                if (matches.Count == 0)
                    return null;
                if (last)
                    return (matches.Count, matches[^1].Value.Clone());
                element = matches[^1].Value;
            }
            return (1, element.Clone());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a JSON client should send for a field of this type, in JSON's words.</summary>
    static string Expected(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int))
            return $"a whole number from {int.MinValue} to {int.MaxValue}";
        if (type == typeof(long))
            return $"a whole number from {long.MinValue} to {long.MaxValue}";
        if (type == typeof(short) || type == typeof(byte))
            return "a small whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
            return "a number";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(string))
            return "a string";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
            return "an ISO 8601 date-time string such as 2026-01-02T00:00:00Z";
        if (type == typeof(JsonElement))
            return "a JSON value";
        if (type.IsEnum)
            return "one of the documented values";
        return options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            JsonTypeInfoKind.Enumerable => "an array",
            _ => "another type",
        };
    }

    static string Got(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
