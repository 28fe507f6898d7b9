using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Pulse.Api.Operations;

/// <summary>
/// Makes the OpenAPI document say what the API really does, from the same endpoint metadata the
/// middleware acts on: the bearer scheme on every secret-key operation, and on every operation each
/// status it can answer with its content type and schema — 401 where a key is checked, 400/413/415
/// where a JSON body is read, 429 where a rate limit applies, 503 and 507 where the write queue is
/// used, 404 where an id is looked up — every problem as <c>application/problem+json</c>. Nullable
/// properties are optional (the server accepts them left out), the analytics filters appear as the
/// deep-object parameter <c>where</c>, and the widget's files have their real media types.
/// </summary>
public static partial class OpenApiContract
{
    public const string SecretKeyScheme = "secretKey";
    public const string ProblemSchema = "Problem";

    public static OpenApiOptions AddPulseContract(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            Describe(document, context);
            return Task.CompletedTask;
        });
        return options;
    }

    static bool IsNullable(IOpenApiSchema schema) =>
        (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        || (schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) ?? false)
        || (schema.AnyOf?.Any(s => s.Type == JsonSchemaType.Null) ?? false);

    static void Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecretKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "sk_…",
            Description = "A secret key of your workspace (sk_…), printed once by `workspaces create` or `keys create`. Never put it in a browser.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        OptionalNullables(document);

        foreach (var description in context.DescriptionGroups.SelectMany(g => g.Items))
        {
            var path = "/" + RouteConstraint().Replace(description.RelativePath ?? "", "{$1}").TrimEnd('/');
            if (document.Paths?.TryGetValue(path, out var item) != true || item!.Operations is null
                || !item.Operations.TryGetValue(new HttpMethod(description.HttpMethod ?? "GET"), out var operation))
                continue;
            Describe(document, operation, description, path);
        }
    }

    static void Describe(OpenApiDocument document, OpenApiOperation operation, ApiDescription description, string path)
    {
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        var secretKey = metadata.OfType<IAuthorizeData>().Any();
        var publicGroup = metadata.OfType<EnableRateLimitingAttribute>().Any();
        var body = metadata.OfType<IAcceptsMetadata>().FirstOrDefault()?.RequestType is not null;
        var writes = method is "POST" or "PUT" or "PATCH" or "DELETE" && path.StartsWith("/v1/", StringComparison.Ordinal);
        operation.Responses ??= new OpenApiResponses();

        if (secretKey)
        {
            operation.Security = [Requirement(document)];
            Problem(document, operation, 401, "The secret key is missing, unknown or revoked.");
            if (metadata.OfType<PermissionMetadata>().FirstOrDefault() is { } permission)
                Problem(document, operation, 403, $"The key's scope (or the member's role) lacks the permission '{permission.Permission}'.");
            Problem(document, operation, 429, "Too many requests for this key; wait for Retry-After (RateLimiting:PerSecretKeyPerSecond).", retryAfter: true);
        }
        else if (publicGroup && (path.EndsWith("/eligibility", StringComparison.Ordinal) || path.EndsWith("/opt-outs", StringComparison.Ordinal)))
        {
            // A site key in the body, or a server's secret key in Authorization.
            operation.Security = [new OpenApiSecurityRequirement(), Requirement(document)];
        }
        if (publicGroup)
        {
            Problem(document, operation, 401, "The site key (or the secret key, when one is sent) is missing or unknown, or userHash does not match.");
            Problem(document, operation, 403, "The Origin is not allowed for this workspace, or the display token belongs to another one.");
            Problem(document, operation, 429, "Too many requests from this client or for this site key; wait for Retry-After.", retryAfter: true);
        }
        if (body)
        {
            Problem(document, operation, 400, "The body is not valid JSON, has a field twice or a field the API does not know, or a field has an invalid value (errors names each).");
            Problem(document, operation, 413, "The body is larger than this operation accepts.");
            Problem(document, operation, 415, "The body is not JSON in UTF-8 (another media type or charset).");
        }
        if (writes)
        {
            Problem(document, operation, 503, "The write queue is full or the server is shutting down; retry after Retry-After.", retryAfter: true);
            Problem(document, operation, 507, "The disk is full; nothing was written. Retry after Retry-After once space is freed.", retryAfter: true);
        }
        if (path.Contains('{', StringComparison.Ordinal) || operation.Parameters?.Any(p => p.Name == "surveyId") == true)
            Problem(document, operation, 404, "Nothing with this id exists in the caller's workspace.");
        if (metadata.OfType<DeepObjectParameter>().FirstOrDefault() is { } deep)
            DeepObject(operation, deep);
        if (path.StartsWith("/widget/", StringComparison.Ordinal))
            Widget(document, operation, path);
        if (path == "/readyz")
        {
            Media(operation, 200, "application/json", new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "status", "schemaVersion" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["schemaVersion"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                },
            }, "The database is open and migrated.");
            Problem(document, operation, 503, "The database is not open or not migrated yet.");
        }
        if (path.EndsWith(".csv", StringComparison.Ordinal))
            Media(operation, 200, "text/csv", new OpenApiSchema { Type = JsonSchemaType.String });

        // Every problem the framework declared (e.g. a ValidationProblem) gets the one problem schema.
        foreach (var (status, response) in operation.Responses)
            if (int.TryParse(status, out var code) && code >= 400 && response is OpenApiResponse concrete)
                concrete.Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
                };
    }

    /// <summary>
    /// A property that may be null may also be left out (the serializer reads a missing one as null),
    /// so it is not required. A nullable <see cref="System.Text.Json.JsonElement"/> is described as
    /// oneOf [null, any], which null matches twice (so no null would be valid): "any" already admits null.
    /// </summary>
    static void OptionalNullables(OpenApiDocument document)
    {
        foreach (var schema in document.Components!.Schemas!.Values.OfType<OpenApiSchema>())
            foreach (var (name, property) in schema.Properties?.ToList() ?? [])
            {
                if (property.OneOf?.Any(s => s is OpenApiSchemaReference { Reference.Id: "JsonElement" }) == true)
                    schema.Properties![name] = new OpenApiSchemaReference("JsonElement", document);
                if (IsNullable(property))
                    schema.Required?.Remove(name);
            }
    }

    static OpenApiSecurityRequirement Requirement(OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(SecretKeyScheme, document)] = [] };

    static void Problem(OpenApiDocument document, OpenApiOperation operation, int status, string description, bool retryAfter = false)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse found ? found : new OpenApiResponse();
        if (string.IsNullOrEmpty(response.Description) || response.Description == Problems.Title(status) || response.Description.Length < 20)
            response.Description = description;
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
        };
        if (retryAfter)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }
        operation.Responses[key] = response;
    }

    static void Media(OpenApiOperation operation, int status, string mediaType, OpenApiSchema? schema, string? description = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse found ? found : new OpenApiResponse();
        response.Description ??= description ?? "OK";
        if (description is not null)
            response.Description = description;
        response.Content = schema is null ? null : new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } };
        operation.Responses[key] = response;
    }

    /// <summary><c>where[plan]=premium&amp;where[role]=admin</c>: OpenAPI's deep-object style of one object parameter.</summary>
    static void DeepObject(OpenApiOperation operation, DeepObjectParameter parameter)
    {
        operation.Parameters ??= [];
        foreach (var generated in operation.Parameters.Where(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)).ToList())
            operation.Parameters.Remove(generated);
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = parameter.Name,
            In = ParameterLocation.Query,
            Style = ParameterStyle.DeepObject,
            Explode = true,
            Description = parameter.Description,
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String },
                MaxProperties = parameter.MaxProperties,
            },
        });
    }

    static void Widget(OpenApiDocument document, OpenApiOperation operation, string path)
    {
        if (path.EndsWith(".js", StringComparison.Ordinal))
        {
            Media(operation, 200, "text/javascript", new OpenApiSchema { Type = JsonSchemaType.String },
                "The script (gzip or Brotli when accepted), with ETag and Cache-Control.");
            Media(operation, 304, "", null, "The client's copy (If-None-Match) is current.");
            Problem(document, operation, 404, path.Contains("{fingerprint}", StringComparison.Ordinal)
                ? "Not the current version's fingerprint; use the manifest's pinnedScript." : "Not found.");
        }
    }

    /// <summary>problem+json as every error of the API has it (RFC 9457): a title per status and a detail that says what to do.</summary>
    static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An error (RFC 9457). 'detail' says what to do; 'errors' names each invalid field or parameter.",
        Required = new HashSet<string> { "type", "title", "status", "detail" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One title per status, e.g. 'Not found'." },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1 },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Field or parameter name → what to fix.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex RouteConstraint();
}

/// <summary>
/// Endpoint metadata: the operation reads a deep-object query parameter (<c>name[key]=value</c>)
/// that its handler binds itself, so the generated document cannot describe it.
/// </summary>
public sealed record DeepObjectParameter(string Name, int MaxProperties, string Description);
