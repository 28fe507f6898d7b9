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
        builder.AddPulseTelemetry();
        var startup = new StartupState();
        services.AddSingleton(startup);
        builder.Logging.Quiet(startup);

        services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        // The first hosted service: health answers while migrations run (readiness says not yet).
        services.AddSingleton<ManagementServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementServer>());
        services.AddSingleton<OverloadGate>();
        // Only the main server: the management listener is a server of its own.
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<OperationsOptions>>((kestrel, operations) =>
                kestrel.Limits.MaxConcurrentConnections = operations.Value.MaxConnections > 0 ? operations.Value.MaxConnections : null);

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
        services.AddSingleton(typeof(JsonContract<>));

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
        var startup = app.Services.GetRequiredService<StartupState>();
        app.Lifetime.ApplicationStarted.Register(() => startup.Started = true);
        var overload = app.Services.GetRequiredService<OverloadGate>();
        app.Use((context, next) => overload.InvokeAsync(context, next));
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseCors();
        app.UseBodyLimits();
        app.UseJsonBodies();
        // Site-key calls without credentials skip it (decision H14). UseAuthentication in a branch does not tell the
        // WebApplication that the app authenticates, and it would then add the middleware again at the very start,
        // ahead of the exception handler: the key below is the one UseAuthentication sets (RateLimitTests fail without it).
        app.UseWhen(context => !SiteKeyEndpoint.FindsNoOne(context), branch => branch.UseAuthentication());
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Health, readiness, OpenAPI document and Swagger UI.</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        // With a management listener, health lives there only (docs/decisions.md H2).
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OperationsOptions>>().Value.HasManagementUrl)
        {
            app.MapGet("/healthz", () => HealthEndpoints.Live().ToResult())
                .Produces<HealthStatus>(StatusCodes.Status200OK, "application/json")
                .WithName("Health").WithSummary("The process is alive.").WithTags("Operations").Public("a liveness probe");
            app.MapGet("/readyz", (HttpContext context) => HealthEndpoints.Ready(context.RequestServices).ToResult())
                .Produces<ReadyStatus>(StatusCodes.Status200OK, "application/json")
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .WithName("Ready").WithSummary("The database is open, migrated and takes writes.").WithTags("Operations").Public("a readiness probe");
        }
        app.MapOpenApi("/openapi/{documentName}.json").Public("the API's description, for generating clients");
        if (app.SwaggerEnabled())
            app.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/openapi/v1.json", "Pulse API v1");
                options.RoutePrefix = "swagger";
                options.DocumentTitle = "Pulse API";
            });
        return app;
    }
}
