using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pulse.Api.Operations;

/// <summary>Settings of Swagger UI (section <c>Swagger</c>).</summary>
public sealed class SwaggerOptions
{
    public const string Section = "Swagger";

    /// <summary>Serve Swagger UI at <c>/swagger</c>. Null: everywhere but Production. The OpenAPI document is always served.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>
/// Headers every response carries, whoever wrote it (an endpoint, the exception handler, status-code
/// pages, the rate limiter): <c>X-Content-Type-Options: nosniff</c>, and — unless the response set
/// its own policy, as the dashboard does — <c>X-Frame-Options: DENY</c> with
/// <c>Content-Security-Policy: frame-ancestors 'none'</c>, so nothing Pulse serves (the OpenAPI
/// document and Swagger UI included) can be framed. No <c>Server</c> header; HSTS over https
/// outside Development.
/// </summary>
public static class SecurityHeaders
{
    public const string FrameAncestors = "frame-ancestors 'none'";

    public static IHostApplicationBuilder AddSecurityHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(options => options.AddServerHeader = false);
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        builder.Services.AddOptions<SwaggerOptions>().BindConfiguration(SwaggerOptions.Section);
        return builder;
    }

    /// <summary>First in the pipeline, so the headers are set as each response starts, after anything that cleared them.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.XContentTypeOptions = "nosniff";
                if (headers.ContentSecurityPolicy.Count == 0)
                    headers.ContentSecurityPolicy = FrameAncestors;
                if (headers.XFrameOptions.Count == 0)
                    headers.XFrameOptions = "DENY";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        // Only for https requests, and never for localhost (the framework's defaults).
        if (!app.Environment.IsDevelopment())
            app.UseHsts();
        return app;
    }

    /// <summary>Whether Swagger UI is served: <c>Swagger:Enabled</c>, or everywhere but Production when unset.</summary>
    public static bool SwaggerEnabled(this WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SwaggerOptions>>().Value.Enabled ?? !app.Environment.IsProduction();
}
