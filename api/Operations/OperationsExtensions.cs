using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

public static class OperationsExtensions
{
    /// <summary>Problem details for every error, JSON settings, logging, OpenAPI, metrics, time.</summary>
    public static IHostApplicationBuilder AddPulseOperations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PulseMetrics>();
        services.AddMetrics();

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Title = Problems.Title(status);
            context.ProblemDetails.Detail ??= Problems.DefaultDetail(status, context.HttpContext);
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Validates the data annotations of secret-key bodies (WorkspaceUpdate, webhook input);
        // the public group turns it off (PublicEndpoints), as its bodies have their own rules.
        services.AddValidation();
        // Bad JSON and wrong types are thrown to the exception handler, which names the field.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(options => Configure(options.SerializerOptions));

        services.AddPulseRateLimits();
        builder.AddSecurityHeaders();

        services.AddOpenApi("v1", options => options.AddPulseContract());
        services.AddCors(options => options.AddPolicy(PublicCors, policy => policy
            .SetIsOriginAllowed(_ => true) // the handler checks Origin against the workspace's list
            .WithMethods("POST", "DELETE")
            .WithHeaders("content-type")
            .SetPreflightMaxAge(TimeSpan.FromHours(2))));

        if (!builder.Environment.IsDevelopment())
            builder.Logging.ClearProviders().AddJsonConsole(o => o.UseUtcTimestamp = true);
        return builder;
    }

    /// <summary>CORS policy of the public (site-key) endpoints; the real check is per workspace.</summary>
    public const string PublicCors = "public";

    /// <summary>The JSON settings of the API: camelCase, nulls written, enums as camelCase strings.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 16;
        // {"score":1,"score":10} is refused (400 naming the field), not read as whichever came last.
        options.AllowDuplicateProperties = false;
        return options;
    }

    /// <summary>
    /// Middleware order: errors first, then routing-dependent limits, CORS, auth, and rate limits
    /// last, so CORS preflights are never counted and secret-key callers can be told apart.
    /// </summary>
    public static WebApplication UsePulseOperations(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseCors();
        app.UseBodyLimits();
        app.UseJsonBodies();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Health, readiness, OpenAPI document and Swagger UI.</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }))
            .WithName("Health").WithSummary("The process is alive.").WithTags("Operations");
        app.MapGet("/readyz", Ready)
            .WithName("Ready").WithSummary("The database is open and migrated.").WithTags("Operations");
        app.MapOpenApi("/openapi/{documentName}.json");
        if (app.SwaggerEnabled())
            app.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/openapi/v1.json", "Pulse API v1");
                options.RoutePrefix = "swagger";
                options.DocumentTitle = "Pulse API";
            });
        return app;
    }

    static IResult Ready(Db db, DatabaseState state, ILogger<DatabaseState> log)
    {
        if (!state.Migrated)
            return TypedResults.Problem(statusCode: 503, title: "Not ready", detail: "Migrations have not finished.");
        try
        {
            using var connection = db.Open();
            var version = Migrator.CurrentVersion(connection);
            return version == Migrator.LatestVersion
                ? TypedResults.Ok(new { status = "ready", schemaVersion = version })
                : TypedResults.Problem(statusCode: 503, title: "Not ready", detail: $"Schema at {version}, expected {Migrator.LatestVersion}.");
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            log.LogWarning(ex, "Readiness check could not open the database");
            return TypedResults.Problem(statusCode: 503, title: "Not ready", detail: "The database is unavailable; see the server log.");
        }
    }
}
